import argparse

import numpy as np
import torch
from torch.utils.data import DataLoader

from proj.data import ColorJitter, ImageFolderLite


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    ds = ImageFolderLite(args.root, transform=ColorJitter())
    loader = DataLoader(ds, batch_size=64, num_workers=0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(len(ds.classes)))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
