import torch

from tta import tta_predict


def main():
    model = torch.load("model.pt")
    xt, yt = torch.load("test.pt")
    with torch.no_grad():
        acc = (tta_predict(model, xt, n=16).argmax(1) == yt).float().mean().item()
    print(f"test acc with TTA: {acc:.4f}")


if __name__ == "__main__":
    main()
