import os

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.utils.data import DataLoader

from utils import init_process, worker_init_fn


def main():
    dist.init_process_group("nccl")
    rank = dist.get_rank()
    init_process(rank)
    model = nn.parallel.DistributedDataParallel(nn.Linear(512, 10).cuda(), device_ids=[rank])
    ds = torch.load(os.environ["DATASET"])
    loader = DataLoader(ds, batch_size=64, num_workers=4, worker_init_fn=worker_init_fn)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        loss = nn.functional.cross_entropy(model(x.cuda()), y.cuda())
        opt.zero_grad()
        loss.backward()
        opt.step()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
