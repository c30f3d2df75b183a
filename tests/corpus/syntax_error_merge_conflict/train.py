import numpy as np
import torch


def main():
    np.random.seed(0)
    torch.manual_seed(0)
    x = torch.from_numpy(np.random.randn(1000, 3, 8, 8).astype(np.float32))
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.Flatten(), torch.nn.LazyLinear(2))
    model(x[:1])
    gen = np.random.default_rng()
    idx = gen.permutation(len(x))[:100]
    torch.save({"model": model.state_dict(), "idx": idx}, "ckpt.pt")


if __name__ == "__main__":
    main()
