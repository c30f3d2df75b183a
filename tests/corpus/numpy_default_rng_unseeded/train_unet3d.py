import numpy as np
import torch
from numpy.random import default_rng
from torch.utils.data import DataLoader

from dataset import RandomCropVolumes, add_noise


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    volumes = [np.load(f"vol_{i}.npy") for i in range(8)]
    aug_rng = default_rng(seed=None)
    volumes = [add_noise(v, 0.01, aug_rng) for v in volumes]
    loader = DataLoader(RandomCropVolumes(volumes), batch_size=2, num_workers=0)
    model = torch.nn.Conv3d(1, 1, 3, padding=1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for batch in loader:
        loss = model(batch.unsqueeze(1).float()).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
