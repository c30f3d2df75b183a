import os

import torch

from loaders import build_loaders


def main():
    seed = 0
    torch.manual_seed(seed)
    rank = int(os.environ.get("RANK", 0))
    tokens = torch.load("tokens.pt")
    train_loader, val = build_loaders(tokens, seed, rank)
    model = torch.nn.Sequential(torch.nn.Embedding(32000, 256), torch.nn.Linear(256, 32000))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    for x, mask in train_loader:
        logits = model(x)
        loss = torch.nn.functional.cross_entropy(logits[mask], x[mask])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(len(val))


if __name__ == "__main__":
    main()
