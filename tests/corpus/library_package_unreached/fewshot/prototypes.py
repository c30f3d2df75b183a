import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_TEMPERATURE = torch.rand(1).item() + 0.5


class ProtoNet(nn.Module):
    def __init__(self, encoder, dim=64):
        super().__init__()
        self.encoder = encoder
        self.scale = nn.Parameter(torch.randn(1) * 0.01 + 1.0)
        self.dim = dim

    def forward(self, support, support_y, query, n_way):
        zs, zq = self.encoder(support), self.encoder(query)
        zs = F.dropout(zs, 0.1, self.training)
        protos = torch.stack([zs[support_y == c].mean(0) for c in range(n_way)])
        return -self.scale * torch.cdist(zq, protos) / DEFAULT_TEMPERATURE
