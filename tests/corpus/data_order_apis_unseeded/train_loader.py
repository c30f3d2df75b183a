import torch
from torch.utils.data import DataLoader, RandomSampler, SubsetRandomSampler, TensorDataset, random_split


def main():
    x, y = torch.load("dataset.pt")
    ds = TensorDataset(x, y)
    train_ds, val_ds = random_split(ds, [0.8, 0.2])
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True, num_workers=0)
    probe_loader = DataLoader(val_ds, batch_size=64, sampler=RandomSampler(val_ds, num_samples=512))
    small_loader = DataLoader(ds, batch_size=32, sampler=SubsetRandomSampler(range(1000)))
    model = torch.nn.Linear(x.shape[1], int(y.max()) + 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for loader in (train_loader, small_loader):
        for xb, yb in loader:
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    print(sum(len(b[0]) for b in probe_loader))


if __name__ == "__main__":
    main()
