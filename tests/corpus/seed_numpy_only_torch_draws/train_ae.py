import numpy as np
import torch
import torch.nn as nn

SEED = 1234


class AutoEncoder(nn.Module):
    def __init__(self, d=784, z=32):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, 256), nn.ReLU(), nn.Linear(256, z))
        self.dec = nn.Sequential(nn.Linear(z, 256), nn.ReLU(), nn.Linear(256, d))

    def forward(self, x):
        return self.dec(self.enc(x))


def load_data(path):
    data = np.load(path)["x"].astype(np.float32) / 255.0
    np.random.shuffle(data)
    return torch.from_numpy(data.reshape(len(data), -1))


def main():
    np.random.seed(SEED)
    x = load_data("mnist_train.npz")
    model = AutoEncoder()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(10):
        for i in range(0, len(x), 128):
            batch = x[i : i + 128]
            noisy = batch + 0.2 * torch.randn_like(batch)
            loss = ((model(noisy) - batch) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        probe = x[torch.randint(0, len(x), (8,))]
        print(epoch, loss.item(), model(probe).mean().item())


if __name__ == "__main__":
    main()
