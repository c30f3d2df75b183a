import torch
import torch.nn as nn


class ConvNeXtBlock(nn.Module):
    def __init__(self, dim, drop=0.1):
        super().__init__()
        self.dw = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim)
        self.pw1 = nn.Linear(dim, 4 * dim)
        self.pw2 = nn.Linear(4 * dim, dim)
        self.drop = nn.Dropout(drop)

    def forward(self, x):
        y = self.dw(x).permute(0, 2, 3, 1)
        y = self.pw2(nn.functional.gelu(self.pw1(self.norm(y))))
        return x + self.drop(y).permute(0, 3, 1, 2)


def build(depth=4, dim=96):
    layers = [nn.Conv2d(3, dim, 4, stride=4)]
    layers += [ConvNeXtBlock(dim) for _ in range(depth)]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(dim, 1000)]
    model = nn.Sequential(*layers)
    model.add_module("emb", nn.Embedding(10, dim))
    model.add_module("rnn", nn.LSTM(dim, dim))
    return model


if __name__ == "__main__":
    model = build().eval()
    example = torch.zeros(1, 3, 224, 224)
    grid = torch.linspace(0, 1, 224).expand(1, 3, 224, 224)
    traced = torch.jit.trace(model[:-2], example + grid)
    traced.save("convnext_tiny.pt")
    print(sum(p.numel() for p in model.parameters()), torch.arange(10).sum(), torch.ones(3).mean())
