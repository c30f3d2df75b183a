import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class NoisyLinear(nn.Module):
    def __init__(self, d_in, d_out, sigma0=0.5):
        super().__init__()
        self.w_mu = nn.Parameter(torch.empty(d_out, d_in))
        self.w_sigma = nn.Parameter(torch.full((d_out, d_in), sigma0 / math.sqrt(d_in)))
        self.b_mu = nn.Parameter(torch.empty(d_out))
        self.register_buffer("eps_in", torch.zeros(d_in))
        self.register_buffer("eps_out", torch.zeros(d_out))
        bound = 1 / math.sqrt(d_in)
        self.w_mu.data.uniform_(-bound, bound)
        self.b_mu.data.uniform_(-bound, bound)

    @staticmethod
    def _f(x):
        return x.sign() * x.abs().sqrt()

    def reset_noise(self):
        self.eps_in.copy_(self._f(torch.randn(self.eps_in.shape)))
        self.eps_out.copy_(self._f(torch.randn(self.eps_out.shape)))

    def forward(self, x):
        w = self.w_mu + self.w_sigma * torch.outer(self.eps_out, self.eps_in)
        return F.linear(x, w, self.b_mu)
