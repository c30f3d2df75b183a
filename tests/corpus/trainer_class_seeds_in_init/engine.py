import random

import numpy as np
import torch
import torch.nn.functional as F


class Trainer:
    def __init__(self, model, cfg):
        self.cfg = cfg
        random.seed(cfg["seed"])
        np.random.seed(cfg["seed"])
        torch.manual_seed(cfg["seed"])
        self.model = model
        self.opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"])

    def _batches(self, x, y):
        idx = torch.randperm(len(x))
        for i in range(0, len(idx), self.cfg["bs"]):
            j = idx[i : i + self.cfg["bs"]]
            yield x[j], y[j]

    def fit(self, x, y):
        for epoch in range(self.cfg["epochs"]):
            for xb, yb in self._batches(x, y):
                if np.random.rand() < self.cfg["p_noise"]:
                    xb = xb + torch.randn_like(xb) * 0.1
                loss = F.cross_entropy(self.model(xb), yb)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
            if random.random() < 0.1:
                print("epoch", epoch, loss.item())
