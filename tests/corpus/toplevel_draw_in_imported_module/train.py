import random

import numpy as np
import torch
from torch.utils.data import DataLoader

from data import NoisySignals


def main():
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    signals = np.load("signals.npy")
    loader = DataLoader(NoisySignals(signals), batch_size=32, shuffle=False)
    model = torch.nn.Sequential(torch.nn.Linear(16, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16))
    opt = torch.optim.Adam(model.parameters())
    for x in loader:
        loss = (model(x) - x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
