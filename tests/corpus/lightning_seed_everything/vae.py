import lightning as L
import torch
import torch.nn as nn
import torch.nn.functional as F


class LitVAE(L.LightningModule):
    def __init__(self, d_in=784, d_z=20, lr=1e-3):
        super().__init__()
        self.enc = nn.Linear(d_in, 400)
        self.mu = nn.Linear(400, d_z)
        self.logvar = nn.Linear(400, d_z)
        self.dec = nn.Sequential(nn.Linear(d_z, 400), nn.ReLU(), nn.Linear(400, d_in))
        self.lr = lr

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def forward(self, x):
        h = F.relu(self.enc(x))
        mu, logvar = self.mu(h), self.logvar(h)
        return self.dec(self.reparameterize(mu, logvar)), mu, logvar

    def training_step(self, batch, batch_idx):
        x = batch[0].flatten(1)
        x = (x + torch.rand_like(x) / 256).clamp(0, 1)
        recon, mu, logvar = self(x)
        kld = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
        loss = F.binary_cross_entropy_with_logits(recon, x) + kld
        self.log("loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.lr)
