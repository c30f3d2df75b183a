import torch

from gates import DenseGate, MoE

if __name__ == "__main__":
    moe = MoE(64, 4, DenseGate(64, 4))
    x = torch.randn(8, 64)
    print(moe(x).shape)
