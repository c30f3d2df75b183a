import copy
import random

import torch
import torch.nn.functional as F
from labtools import reseed


def augment(x):
    if random.random() < 0.5:
        x = x.flip(-1)
    return x + 0.05 * torch.randn_like(x)


def main():
    reseed(7)
    images = torch.load("stl10_unlabeled.pt")
    online = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(256))
    online(images[:2])
    target = copy.deepcopy(online)
    predictor = torch.nn.Linear(256, 256)
    opt = torch.optim.Adam(list(online.parameters()) + list(predictor.parameters()), lr=3e-4)
    for i in range(0, len(images), 256):
        x = images[i : i + 256]
        p = predictor(online(augment(x)))
        with torch.no_grad():
            t = target(augment(x))
        loss = 2 - 2 * F.cosine_similarity(p, t, dim=-1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for po, pt in zip(online.parameters(), target.parameters()):
                pt.mul_(0.99).add_(0.01 * po)


if __name__ == "__main__":
    main()
