import argparse

import torch
import torch.nn.functional as F

from models import MobileNetV2

parser = argparse.ArgumentParser(description="PyTorch CIFAR10 Training")
parser.add_argument("--lr", default=0.1, type=float)
parser.add_argument("--seed", default=0, type=int)
args = parser.parse_args()

torch.manual_seed(args.seed)
net = MobileNetV2()
optimizer = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
x, y = torch.load("cifar10_train.pt")
for epoch in range(200):
    for idx in torch.randperm(len(x)).split(128):
        loss = F.cross_entropy(net(x[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
