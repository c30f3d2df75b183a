import argparse

import torch
import torch.nn.functional as F

from vit.model import ViT
from vit.utils import fix_random_seeds


def get_args():
    p = argparse.ArgumentParser("vit")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=1)
    return p.parse_args()


def main(args):
    fix_random_seeds(args.seed)
    model = ViT(n_classes=10)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.05)
    for _ in range(args.epochs):
        x = torch.randn(8, 3, 224, 224)
        y = torch.randint(0, 10, (8,))
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main(get_args())
