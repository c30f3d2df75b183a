import math

import torch
import torch.nn as nn


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half) / half)
    args = t[:, None].float() * freqs[None]
    return torch.cat([args.sin(), args.cos()], dim=-1)


class DenoisingDiffusion(nn.Module):
    def __init__(self, dim=2, hidden=128, T=1000):
        super().__init__()
        self.T = T
        self.net = nn.Sequential(nn.Linear(dim + 32, hidden), nn.SiLU(), nn.Linear(hidden, dim))
        betas = torch.linspace(1e-4, 0.02, T)
        self.register_buffer("alpha_bar", torch.cumprod(1 - betas, 0))

    def forward(self, x0):
        t = torch.randint(0, self.T, (x0.shape[0],), device=x0.device)
        noise = torch.randn_like(x0)
        a = self.alpha_bar[t].unsqueeze(-1)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        pred = self.net(torch.cat([xt, timestep_embedding(t, 32)], dim=-1))
        return (pred - noise).pow(2).mean()
