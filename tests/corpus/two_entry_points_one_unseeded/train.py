import random

import torch
import torch.nn.functional as F

from tta import tta_predict


def main():
    random.seed(0)
    torch.manual_seed(0)
    x, y = torch.load("train.pt")
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(x[0].numel(), 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for idx in torch.randperm(len(x)).split(64):
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    xv, yv = torch.load("val.pt")
    print("val acc", (tta_predict(model, xv).argmax(1) == yv).float().mean().item())
    torch.save(model, "model.pt")


if __name__ == "__main__":
    main()
