import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from vae import LitVAE

if __name__ == "__main__":
    L.seed_everything(42, workers=True)
    x = torch.load("mnist.pt")
    loader = DataLoader(TensorDataset(x), batch_size=128, num_workers=2)
    L.Trainer(max_epochs=10).fit(LitVAE(), loader)
