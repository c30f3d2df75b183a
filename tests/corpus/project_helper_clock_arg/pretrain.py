import json
import time

import torch
import torch.nn as nn

from utils import set_seed


def main():
    seed = set_seed(int(time.time()))
    model = nn.TransformerEncoder(nn.TransformerEncoderLayer(256, 4, batch_first=True), 4)
    data = torch.load("tokens_emb.pt")
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    for x in data.split(32):
        loss = model(x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with open("run.json", "w") as f:
        json.dump({"seed": seed}, f)


if __name__ == "__main__":
    main()
