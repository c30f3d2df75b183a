import argparse
import random

import numpy as np
import torch

from .model import TextCNN
from .utils import seed_all


def batches(ids, labels, bs):
    order = np.random.permutation(len(ids))
    for i in range(0, len(order), bs):
        j = order[i : i + bs]
        yield ids[j], labels[j]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=3407)
    args = parser.parse_args(argv)
    seed_all(args.seed)
    ids, labels = torch.load("sst2.pt")
    model = TextCNN(vocab=int(ids.max()) + 1)
    opt = torch.optim.Adadelta(model.parameters())
    for epoch in range(5):
        for xb, yb in batches(ids, labels, 50):
            if random.random() < 0.1:
                xb = xb.flip(1)
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()


if __name__ == "__main__":
    main()
