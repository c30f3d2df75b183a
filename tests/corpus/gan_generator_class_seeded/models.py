import torch
import torch.nn as nn


class Generator(nn.Module):
    def __init__(self, latent_dim=64, out_dim=784):
        super().__init__()
        self.latent_dim = latent_dim
        self.net = nn.Sequential(
            nn.Linear(latent_dim, 256),
            nn.LeakyReLU(0.2),
            nn.Linear(256, out_dim),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z)

    def sample(self, n):
        z = torch.randn(n, self.latent_dim)
        return self(z)


class Critic(nn.Module):
    def __init__(self, in_dim=784):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_dim, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))

    def forward(self, x):
        return self.net(x)
