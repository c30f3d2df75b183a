import random

import torch
import torch.nn.functional as F

from vocab import VOCAB


def skipgram_pairs(ids, window=5):
    for i, c in enumerate(ids):
        w = random.randint(1, window)
        for j in range(max(0, i - w), min(len(ids), i + w + 1)):
            if j != i:
                yield c, ids[j]


def main():
    random.seed(1)
    torch.manual_seed(1)
    text = open("corpus.txt").read().split()
    ids = [VOCAB.get(w, 1) for w in text]
    emb_in = torch.nn.Embedding(len(VOCAB), 100)
    emb_out = torch.nn.Embedding(len(VOCAB), 100)
    opt = torch.optim.SparseAdam(list(emb_in.parameters()) + list(emb_out.parameters()))
    for c, o in skipgram_pairs(ids):
        neg = torch.randint(0, len(VOCAB), (5,))
        pos = (emb_in.weight[c] * emb_out.weight[o]).sum()
        negs = emb_out(neg) @ emb_in.weight[c]
        loss = -F.logsigmoid(pos) - F.logsigmoid(-negs).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
