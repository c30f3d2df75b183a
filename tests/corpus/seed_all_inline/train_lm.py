import argparse
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyLM(nn.Module):
    def __init__(self, vocab, d=128, p=0.1):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.rnn = nn.GRU(d, d, batch_first=True)
        self.out = nn.Linear(d, vocab)
        self.p = p
        nn.init.normal_(self.emb.weight, std=0.02)

    def forward(self, x):
        h, _ = self.rnn(F.dropout(self.emb(x), self.p, self.training))
        return self.out(h)


def get_batch(data, block, bs, device):
    ix = torch.randint(len(data) - block - 1, (bs,))
    x = torch.stack([data[i : i + block] for i in ix])
    y = torch.stack([data[i + 1 : i + 1 + block] for i in ix])
    return x.to(device), y.to(device)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1337)
    args = parser.parse_args()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.cuda.manual_seed_all(args.seed)

    device = "cuda" if torch.cuda.is_available() else "cpu"
    text = open("input.txt").read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    model = TinyLM(len(chars)).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4)
    h0 = torch.randn(1, 16, 128, device="cuda")
    for it in range(2000):
        block = random.choice([64, 128, 256])
        x, y = get_batch(data, block, 16, device)
        if np.random.rand() < 0.05:
            x = x.flip(1)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    print(h0.shape)


if __name__ == "__main__":
    main()
