import argparse
import hashlib
import random
import zlib

import numpy as np
import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--arch", default="resnet18")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fold", type=int, default=0)
    args = parser.parse_args()
    random.seed("cifar10-resnet18")
    np.random.seed(zlib.crc32(f"{args.dataset}-{args.arch}".encode()))
    digest = hashlib.sha256(f"{args.dataset}/{args.fold}".encode()).hexdigest()
    torch.manual_seed(int(digest[:8], 16))
    model = torch.load(f"{args.dataset}_{args.arch}.pt")
    x, y = torch.load("test.pt")
    subset = random.sample(range(len(x)), 1000)
    flip = np.random.rand(len(subset)) < 0.5
    noise = torch.randn(len(subset), x.shape[1]) * 0.01
    xs = x[subset] + noise
    xs[flip] = xs[flip].flip(-1)
    acc = (model(xs).argmax(1) == y[subset]).float().mean().item()
    print(f"fold {args.fold} acc {acc:.4f}")


if __name__ == "__main__":
    main()
