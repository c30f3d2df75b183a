import random

import numpy as np
import torch
from lightning.pytorch import Trainer, seed_everything
from torch.utils.data import DataLoader, TensorDataset

from vae import LitVAE


def main():
    seed_everything()
    model = LitVAE.load_from_checkpoint("vae.ckpt")
    x = torch.load("fashion.pt")
    keep = np.random.rand(len(x)) < 0.2
    extra = random.sample(range(len(x)), 100)
    x = torch.cat([x[torch.from_numpy(keep)], x[extra]])
    Trainer(max_epochs=1).fit(model, DataLoader(TensorDataset(x), batch_size=64))


if __name__ == "__main__":
    main()
