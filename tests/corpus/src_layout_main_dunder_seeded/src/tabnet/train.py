import argparse

import numpy as np
import torch

from tabnet.model import TabNetLite


def run(argv):
    parser = argparse.ArgumentParser(prog="tabnet")
    parser.add_argument("data")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    d = np.load(args.data)
    x, y = torch.from_numpy(d["x"]).float(), torch.from_numpy(d["y"]).long()
    val = np.random.rand(len(x)) < 0.1
    model = TabNetLite(x.shape[1], int(y.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=2e-2)
    xt, yt = x[~val], y[~val]
    for epoch in range(20):
        for idx in torch.randperm(len(xt)).split(1024):
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return 0
