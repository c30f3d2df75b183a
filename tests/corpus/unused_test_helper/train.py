import torch
import torch.nn.functional as F

from model import ResNet


def main():
    model = ResNet()
    x, y = torch.load("cifar10_train.pt")
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    for epoch in range(200):
        perm = torch.randperm(len(x))
        for idx in perm.split(128):
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()


if __name__ == "__main__":
    main()
