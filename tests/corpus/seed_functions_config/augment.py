import random

import torch


def two_views(x, crop=0.8):
    views = []
    for _ in range(2):
        h, w = x.shape[-2:]
        ch, cw = int(h * crop), int(w * crop)
        top, left = random.randint(0, h - ch), random.randint(0, w - cw)
        v = x[..., top : top + ch, left : left + cw]
        if random.random() < 0.5:
            v = v.flip(-1)
        views.append(v + 0.05 * torch.randn_like(v))
    return views
