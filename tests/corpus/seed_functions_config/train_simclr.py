import torch
import torch.nn.functional as F
from labtools import reseed

from augment import two_views


def nt_xent(z1, z2, tau=0.2):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.t() / tau
    sim.fill_diagonal_(float("-inf"))
    n = z1.shape[0]
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def main():
    reseed(7)
    images = torch.load("stl10_unlabeled.pt")
    encoder = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(128))
    opt = torch.optim.Adam(encoder.parameters(), lr=3e-4)
    for i in range(0, len(images), 256):
        v1, v2 = two_views(images[i : i + 256])
        loss = nt_xent(encoder(v1), encoder(v2))
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
