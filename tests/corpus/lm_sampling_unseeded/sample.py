import argparse

import torch
import torch.nn.functional as F


@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    for _ in range(max_new_tokens):
        logits = model(idx)[:, -1, :] / temperature
        if top_k is not None:
            v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
            logits[logits < v[:, [-1]]] = -float("inf")
        probs = F.softmax(logits, dim=-1)
        idx_next = torch.multinomial(probs, num_samples=1)
        idx = torch.cat((idx, idx_next), dim=1)
    return idx


@torch.no_grad()
def perturb_embeddings(model, scale):
    emb = model.get_input_embeddings().weight
    emb.add_(torch.normal(0.0, scale, size=emb.shape))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ckpt")
    parser.add_argument("--num-samples", type=int, default=5)
    parser.add_argument("--noise", type=float, default=0.0)
    args = parser.parse_args()
    model = torch.load(args.ckpt).eval()
    if args.noise > 0:
        perturb_embeddings(model, args.noise)
    start = torch.zeros((1, 1), dtype=torch.long)
    for k in range(args.num_samples):
        out = generate(model, start, 200, temperature=0.8, top_k=200)
        print(f"--- sample {k} ---")
        print(out[0].tolist())


if __name__ == "__main__":
    main()
