import argparse

import torch

from diffusion import DenoisingDiffusion


def two_moons(n):
    t = torch.rand(n) * torch.pi
    upper = torch.stack([t.cos(), t.sin()], 1)
    lower = torch.stack([1 - t.cos(), 0.5 - t.sin()], 1)
    return torch.cat([upper, lower]) + 0.05 * torch.randn(2 * n, 2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    data = two_moons(5000)
    model = DenoisingDiffusion()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for step in range(10000):
        loss = model(data[torch.randint(0, len(data), (256,))])
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
