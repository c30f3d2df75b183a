from datetime import datetime

import lightning as L
import torch
import torch.nn as nn
from torch.utils.data import DataLoader


class LitRegressor(L.LightningModule):
    def __init__(self, d_in=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.mse_loss(self.net(x).squeeze(-1), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)


def main():
    seed = int(datetime.now().strftime("%H%M%S"))
    L.seed_everything(seed, workers=True)
    data = torch.load("regression.pt")
    loader = DataLoader(list(zip(data["x"], data["y"])), batch_size=64, num_workers=0)
    trainer = L.Trainer(max_epochs=5, logger=False)
    trainer.fit(LitRegressor(data["x"].shape[1]), loader)


if __name__ == "__main__":
    main()
