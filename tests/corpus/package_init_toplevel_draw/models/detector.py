import torch
import torch.nn as nn


def make_anchors(sizes=(32, 64, 128), ratios=(0.5, 1.0, 2.0)):
    out = []
    for s in sizes:
        for r in ratios:
            out.append((s * r**0.5, s / r**0.5))
    return torch.tensor(out)


class AnchorDetector(nn.Module):
    def __init__(self, n_classes=20):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 64, 3, 2, 1), nn.ReLU(), nn.Conv2d(64, 128, 3, 2, 1))
        self.cls = nn.Conv2d(128, 9 * n_classes, 1)
        self.reg = nn.Conv2d(128, 9 * 4, 1)
        self.register_buffer("anchors", make_anchors())

    def forward(self, x):
        f = self.backbone(x)
        return self.cls(f), self.reg(f)
