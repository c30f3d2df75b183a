import torch


def reset_cuda_rng(all_devices=True):
    if all_devices:
        torch.cuda.seed_all()
    else:
        torch.cuda.seed()


class EpochShuffler:
    def __init__(self, n, seed):
        self.n = n
        self.g = torch.Generator()
        self.g.manual_seed(seed)

    def order(self):
        return torch.randperm(self.n, generator=self.g)

    def reshuffle_fresh(self):
        self.g.seed()
