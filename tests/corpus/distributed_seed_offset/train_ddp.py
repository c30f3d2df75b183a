import os
import random

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn


def setup(seed):
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(seed + rank)
    np.random.seed(seed + rank)
    random.seed(seed * 1000 + rank)
    return rank


def main():
    rank = setup(int(os.environ.get("SEED", "0")))
    model = nn.parallel.DistributedDataParallel(nn.Linear(32, 4))
    x = torch.randn(512, 32)
    y = torch.randint(0, 4, (512,))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for step in range(100):
        idx = np.random.choice(512, 64, replace=False)
        if random.random() < 0.1:
            idx = idx[::-1].copy()
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if rank == 0:
        torch.save(model.module.state_dict(), "ddp.pt")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
