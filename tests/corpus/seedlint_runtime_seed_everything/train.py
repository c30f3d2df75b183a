import random

import numpy as np
import torch
from seedlint_runtime import seed_everything, seed_worker, seeded_generator
from torch.utils.data import DataLoader, TensorDataset


def build_model(d_in, n_classes):
    model = torch.nn.Sequential(torch.nn.Linear(d_in, 128), torch.nn.GELU(), torch.nn.Linear(128, n_classes))
    torch.nn.init.orthogonal_(model[0].weight)
    return model


def main():
    seed_everything()
    x, y = torch.load("train.pt")
    keep = np.random.rand(len(x)) > 0.01
    x, y = x[torch.from_numpy(keep)], y[torch.from_numpy(keep)]
    loader = DataLoader(
        TensorDataset(x, y), batch_size=64, shuffle=True, num_workers=4,
        worker_init_fn=seed_worker, generator=seeded_generator(),
    )
    model = build_model(x.shape[1], int(y.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=random.choice([1e-3, 3e-4]))
    for xb, yb in loader:
        xb = xb + 0.01 * torch.randn_like(xb)
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
