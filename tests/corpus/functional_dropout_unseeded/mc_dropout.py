import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class MCDropoutNet(nn.Module):
    def __init__(self, d_in=20, d_h=64, p=0.2):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_h)
        self.fc2 = nn.Linear(d_h, d_h)
        self.out = nn.Linear(d_h, 1)
        self.p = p

    def forward(self, x):
        h = F.dropout(F.relu(self.fc1(x)), self.p, training=True)
        h = torch.nn.functional.dropout(F.relu(self.fc2(h)), self.p, training=True)
        return self.out(h)


def predictive(model, x, n_samples=50):
    with torch.no_grad():
        preds = torch.stack([model(x) for _ in range(n_samples)])
    return preds.mean(0), preds.std(0)


def main(ckpt):
    model = MCDropoutNet()
    model.load_state_dict(torch.load(ckpt))
    x = torch.load("x_test.pt")
    mean, std = predictive(model, x)
    torch.save({"mean": mean, "std": std}, "predictive.pt")


if __name__ == "__main__":
    main(sys.argv[1])
