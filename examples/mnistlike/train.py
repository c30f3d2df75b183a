import argparse
import os
import sys

import torch
from torch.utils.data import DataLoader

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from data import SyntheticDigits  # noqa: E402
from model import MLP  # noqa: E402
from utils import accuracy, set_seed  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description="Train a tiny classifier on synthetic digits")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=None)
    return parser.parse_args()


def train(model, loader, optimizer):
    model.train()
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def main():
    args = parse_args()
    model = MLP()
    set_seed(args.seed)
    train_set = SyntheticDigits(2048)
    loader = DataLoader(
        train_set,
        batch_size=args.batch_size,
        shuffle=True,
        generator=torch.Generator(),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        loss = train(model, loader, optimizer)
        x, y = next(iter(loader))
        print(f"epoch {epoch}: loss {loss:.6f} acc {accuracy(model(x), y):.4f}")
    print(f"final weight checksum {model.fc2.weight.sum().item():.6f}")


if __name__ == "__main__":
    main()
