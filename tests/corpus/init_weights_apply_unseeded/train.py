import torch
import torch.nn.functional as F

from models.convnet import init_weights, make_convnet


def train(model, loader, epochs=30):
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    for _ in range(epochs):
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()


if __name__ == "__main__":
    model = make_convnet()
    model.apply(init_weights)
    loader = torch.load("cifar100_loader.pt")
    train(model, loader)
    torch.save(model.state_dict(), "convnet.pt")
