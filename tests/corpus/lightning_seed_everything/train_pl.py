import argparse

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

from vae import LitVAE


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    hparams = parser.parse_args()
    pl.seed_everything(hparams.seed)
    x = torch.load("mnist.pt")
    subset = x[torch.randperm(len(x))[:10000]]
    trainer = pl.Trainer(max_epochs=3)
    trainer.fit(LitVAE(lr=3e-4), DataLoader(TensorDataset(subset), batch_size=64))


if __name__ == "__main__":
    main()
