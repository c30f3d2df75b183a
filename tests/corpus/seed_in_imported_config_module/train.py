import random

import numpy as np
import torch

import config


def make_batches(n):
    idx = np.random.permutation(n)
    return [idx[i : i + config.BATCH_SIZE] for i in range(0, n, config.BATCH_SIZE)]


def main():
    x, y = torch.load("data.pt")
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))
    torch.nn.init.kaiming_uniform_(model[0].weight)
    opt = torch.optim.Adam(model.parameters(), lr=config.LR)
    for epoch in range(10):
        for idx in make_batches(len(x)):
            xb = x[idx] + 0.01 * torch.randn(len(idx), x.shape[1])
            if random.random() < 0.5:
                xb = -xb
            loss = torch.nn.functional.cross_entropy(model(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()


if __name__ == "__main__":
    main()
