import argparse

import numpy as np
import torch
import torch.nn as nn

from helpers import count_parameters, set_seed


class ResMLP(nn.Module):
    def __init__(self, d, depth=4):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(d, d) for _ in range(depth)])
        for b in self.blocks:
            nn.init.normal_(b.weight, std=0.02)

    def forward(self, x):
        for b in self.blocks:
            x = x + torch.relu(b(x))
        return x


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data = np.load("tabular.npz")
    x = torch.from_numpy(data["x"]).float()
    val = np.random.rand(len(x)) < 0.2
    model = ResMLP(x.shape[1])
    print("params", count_parameters(model), "seed", args.seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for step in range(1000):
        idx = torch.randint(0, int((~val).sum()), (256,))
        loss = model(x[~val][idx]).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
