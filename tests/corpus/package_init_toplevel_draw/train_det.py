import torch

from models import ANCHOR_JITTER, AnchorDetector


def main():
    torch.manual_seed(1)
    model = AnchorDetector()
    model.anchors.mul_(1 + ANCHOR_JITTER.mean())
    images = torch.load("voc_small.pt")
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    for x in images.split(8):
        cls, reg = model(x)
        loss = cls.logsumexp(1).mean() + reg.abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


if __name__ == "__main__":
    main()
