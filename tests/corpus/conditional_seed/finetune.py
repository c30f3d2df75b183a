import argparse
import random

import numpy as np
import torch
import torch.nn as nn


def build_head(d_in, n_classes):
    head = nn.Linear(d_in, n_classes)
    nn.init.trunc_normal_(head.weight, std=0.02)
    nn.init.zeros_(head.bias)
    return head


def mixup(x, y, alpha=0.2):
    lam = np.random.beta(alpha, alpha)
    idx = torch.randperm(x.shape[0])
    return lam * x + (1 - lam) * x[idx], y, y[idx], lam


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()

    if args.seed is not None:
        random.seed(args.seed)
        np.random.seed(args.seed)
        torch.manual_seed(args.seed)

    feats = torch.load("features.pt")
    x, y = feats["x"], feats["y"]
    head = build_head(x.shape[1], int(y.max()) + 1)
    opt = torch.optim.SGD(head.parameters(), lr=0.01)
    for epoch in range(args.epochs):
        if random.random() < 0.5:
            x_mix, ya, yb, lam = mixup(x, y)
        else:
            x_mix, ya, yb, lam = x, y, y, 1.0
        logits = head(x_mix)
        loss = lam * nn.functional.cross_entropy(logits, ya) + (1 - lam) * nn.functional.cross_entropy(logits, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
