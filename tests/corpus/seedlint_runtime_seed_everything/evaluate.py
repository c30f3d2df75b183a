import argparse

import seedlint_runtime as slr
import torch

from train import build_model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    slr.seed_everything(args.seed, deterministic=True)
    x, y = torch.load("test.pt")
    model = build_model(x.shape[1], int(y.max()) + 1)
    model.load_state_dict(torch.load("model.pt"))
    idx = torch.randperm(len(x))[:2000]
    acc = (model(x[idx]).argmax(1) == y[idx]).float().mean()
    print(f"acc {acc:.4f}")


if __name__ == "__main__":
    main()
