import argparse

import torch
from accelerate import Accelerator
from accelerate.utils import set_seed

from collator import mask_tokens, span_corrupt


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    accelerator = Accelerator()
    set_seed(args.seed, device_specific=True)
    data = torch.load("tokens.pt")
    model = torch.nn.Sequential(torch.nn.Embedding(30522, 256), torch.nn.Linear(256, 30522))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    model, opt = accelerator.prepare(model, opt)
    for row in data:
        ids = torch.tensor(span_corrupt(row.tolist())).unsqueeze(0)
        inputs, labels = mask_tokens(ids, 30522, 103)
        loss = torch.nn.functional.cross_entropy(model(inputs).flatten(0, 1), labels.flatten())
        accelerator.backward(loss)
        opt.step()
        opt.zero_grad()


if __name__ == "__main__":
    main()
