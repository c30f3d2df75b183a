import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, random_split


def make_loaders(dataset, batch_size):
    train_set, val_set = random_split(dataset, [0.9, 0.1], generator=torch.Generator())
    g = torch.Generator()
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, generator=g)
    val_loader = DataLoader(val_set, batch_size=256)
    return train_loader, val_loader


def main():
    torch.manual_seed(42)
    data = torch.load("features.pt")
    dataset = TensorDataset(data["x"], data["y"])
    train_loader, val_loader = make_loaders(dataset, 128)
    model = nn.Sequential(nn.Linear(data["x"].shape[1], 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(5):
        for x, y in train_loader:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = sum((model(x).argmax(1) == y).sum().item() for x, y in val_loader) / len(val_loader.dataset)
        print(epoch, acc)


if __name__ == "__main__":
    main()
