import random

import torch


def tta_predict(model, x, n=8):
    outs = []
    for _ in range(n):
        xi = x.flip(-1) if random.random() < 0.5 else x
        shift = random.randint(-4, 4)
        outs.append(model(torch.roll(xi, shift, dims=-1)).softmax(-1))
    return torch.stack(outs).mean(0)
