import random

import numpy as np
import torch
import torch.nn.functional as F
from labtools.determinism import make_deterministic


def random_resized_crop(x, scale=(0.2, 1.0)):
    h, w = x.shape[-2:]
    s = np.random.uniform(*scale)
    ch, cw = max(1, int(h * s**0.5)), max(1, int(w * s**0.5))
    top, left = random.randint(0, h - ch), random.randint(0, w - cw)
    return F.interpolate(x[..., top : top + ch, left : left + cw], size=(h, w), mode="bilinear")


def main():
    make_deterministic(7)
    images = torch.load("stl10_unlabeled.pt")
    encoder = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(128))
    queue = F.normalize(torch.randn(4096, 128), dim=1)
    opt = torch.optim.SGD(encoder.parameters(), lr=0.03, momentum=0.9)
    for i in range(0, len(images), 256):
        x = images[i : i + 256]
        q = F.normalize(encoder(random_resized_crop(x)), dim=1)
        with torch.no_grad():
            k = F.normalize(encoder(random_resized_crop(x)), dim=1)
        logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue.t()], dim=1) / 0.07
        loss = F.cross_entropy(logits, torch.zeros(len(q), dtype=torch.long))
        opt.zero_grad()
        loss.backward()
        opt.step()
        queue = torch.cat([k, queue])[:4096]


if __name__ == "__main__":
    main()
