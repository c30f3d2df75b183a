import argparse

import torch


def interpolate(z0, z1, steps):
    t = torch.linspace(0, 1, steps).view(-1, 1)
    return (1 - t) * z0 + t * z1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--n", type=int, default=8)
    args = parser.parse_args()
    if args.seed is None:
        torch.seed()
    else:
        torch.manual_seed(args.seed)
    print("sampling with seed", torch.initial_seed())
    decoder = torch.jit.load("decoder.pt")
    z = torch.randn(args.n, 512)
    path = interpolate(z[0], z[1], 16)
    with torch.no_grad():
        torch.save({"grid": decoder(z), "path": decoder(path)}, "samples.pt")


if __name__ == "__main__":
    main()
