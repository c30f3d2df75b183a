import numpy as np
import torch
from composer.utils import reproducibility


def synthetic_images(n):
    x = torch.randn(n, 3, 32, 32)
    y = torch.from_numpy(np.random.randint(0, 10, size=n))
    return x, y


def main():
    reproducibility.seed_all(17)
    x, y = synthetic_images(1024)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for i in range(0, 1024, 64):
        loss = torch.nn.functional.cross_entropy(model(x[i : i + 64]), y[i : i + 64])
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
