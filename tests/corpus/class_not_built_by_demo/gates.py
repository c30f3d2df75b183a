import torch
import torch.nn as nn
import torch.nn.functional as F


class NoisyTopKGate(nn.Module):
    def __init__(self, d, n_experts, k=2):
        super().__init__()
        self.w_gate = nn.Parameter(torch.zeros(d, n_experts))
        self.w_noise = nn.Parameter(torch.zeros(d, n_experts))
        self.k = k

    def forward(self, x):
        clean = x @ self.w_gate
        noise = torch.randn_like(clean) * F.softplus(x @ self.w_noise)
        logits = clean + noise
        top, idx = logits.topk(self.k, dim=-1)
        return torch.zeros_like(logits).scatter(-1, idx, top.softmax(-1))


class DenseGate(nn.Module):
    def __init__(self, d, n_experts):
        super().__init__()
        self.w = nn.Parameter(torch.empty(d, n_experts))
        nn.init.normal_(self.w, std=0.02)

    def forward(self, x):
        return (x @ self.w).softmax(-1)


class MoE(nn.Module):
    def __init__(self, d, n_experts, gate):
        super().__init__()
        self.experts = nn.ModuleList([nn.Linear(d, d) for _ in range(n_experts)])
        self.gate = gate

    def forward(self, x):
        g = self.gate(x)
        return sum(g[..., i : i + 1] * e(x) for i, e in enumerate(self.experts))
