import argparse

import torch
import torch.nn as nn


def build_model(n_classes=10):
    model = nn.Sequential(nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 12 * 12, n_classes))
    nn.init.kaiming_normal_(model[0].weight)
    nn.init.normal_(model[-1].weight, std=0.01)
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    model = build_model()
    x, y = torch.load("mnist_train.pt")
    opt = torch.optim.Adadelta(model.parameters(), lr=1.0)
    for idx in torch.randperm(len(x)).split(64):
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    torch.save(model.state_dict(), "mnist_cnn.pt")


if __name__ == "__main__":
    main()
