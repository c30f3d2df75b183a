import argparse

import torch
import torch.nn.functional as F

from data import cutmix, load_split
from utils import AverageMeter, set_all_seeds


def train(model, train_set, epochs, bs=128):
    x, y = train_set
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(epochs):
        meter = AverageMeter()
        for idx in torch.randperm(len(x)).split(bs):
            xb, ya, yb, lam = cutmix(x[idx], y[idx])
            out = model(xb)
            loss = lam * F.cross_entropy(out, ya) + (1 - lam) * F.cross_entropy(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            meter.update(loss.item(), len(idx))
        print(epoch, meter.avg)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    set_all_seeds(42)
    train_set, val_set = load_split("cifar10.pt")
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3072, 10))
    train(model, train_set, args.epochs)


if __name__ == "__main__":
    main()
