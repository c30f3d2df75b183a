import json
import random

import numpy as np
import torch

from common import pad_batch, seed_torch


def entity_swap(tokens, tags, gazetteer):
    out = list(tokens)
    for i, t in enumerate(tags):
        if t.startswith("B-") and random.random() < 0.3:
            out[i] = random.choice(gazetteer[t[2:]])
    return out


def main():
    seed_torch(2020)
    rows = [json.loads(line) for line in open("train.jsonl")]
    gazetteer = json.load(open("gazetteer.json"))
    order = np.random.permutation(len(rows))
    emb = torch.nn.Embedding(50000, 128)
    for i in order:
        tokens = entity_swap(rows[i]["tokens"], rows[i]["tags"], gazetteer)
        ids = pad_batch([[hash(t) % 50000 for t in tokens]])
        feats = emb(ids) + 0.01 * torch.randn(1, ids.shape[1], 128)
        print(feats.shape)


if __name__ == "__main__":
    main()
