import torch
import torch.nn as nn
import torch.nn.functional as F


class GhostBatchNorm(nn.Module):
    def __init__(self, d, vbs=128):
        super().__init__()
        self.bn = nn.BatchNorm1d(d)
        self.vbs = vbs

    def forward(self, x):
        return torch.cat([self.bn(c) for c in x.split(self.vbs)])


class TabNetLite(nn.Module):
    def __init__(self, d_in, d_out, steps=3, d_h=32):
        super().__init__()
        self.masks = nn.ModuleList([nn.Linear(d_h, d_in) for _ in range(steps)])
        self.feat = nn.Linear(d_in, d_h)
        self.bn = GhostBatchNorm(d_h)
        self.out = nn.Linear(d_h, d_out)
        for m in self.masks:
            nn.init.xavier_normal_(m.weight, gain=1.4)

    def forward(self, x):
        h = torch.zeros(x.shape[0], self.feat.out_features)
        agg = 0
        for m in self.masks:
            mask = F.softmax(m(h), dim=-1)
            h = F.relu(self.bn(self.feat(x * mask)))
            h = F.dropout(h, 0.1, self.training)
            agg = agg + h
        return self.out(agg)
