import torch

from train import build_model


def main():
    model = build_model()
    model.load_state_dict(torch.load("mnist_cnn.pt"))
    model.eval()
    x, y = torch.load("mnist_test.pt")
    with torch.no_grad():
        acc = (model(x).argmax(1) == y).float().mean().item()
    print(f"test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
