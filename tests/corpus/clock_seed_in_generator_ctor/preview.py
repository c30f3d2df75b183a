import sys

import torch

from augment import SpecAugment

if __name__ == "__main__":
    specs = torch.load(sys.argv[1])
    aug = SpecAugment()
    torch.save([aug(s) for s in specs[:16]], "preview.pt")
