import sys

import torch
from torch import Generator


def degree_weights(edge_index, num_nodes, power=0.75):
    deg = torch.bincount(edge_index[0], minlength=num_nodes).float()
    return deg.pow(power)


def negative_samples(edge_index, num_nodes, k):
    gen = Generator(device="cpu")
    w = degree_weights(edge_index, num_nodes)
    heads = edge_index[0].repeat_interleave(k)
    tails = torch.multinomial(w, heads.numel(), replacement=True, generator=gen)
    return torch.stack([heads, tails])


if __name__ == "__main__":
    torch.manual_seed(0)
    edge_index = torch.load(sys.argv[1])
    neg = negative_samples(edge_index, int(edge_index.max()) + 1, k=5)
    torch.save(neg, "negatives.pt")
