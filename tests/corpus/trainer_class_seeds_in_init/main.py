import yaml
import torch

from engine import Trainer


def main():
    cfg = yaml.safe_load(open("config.yaml"))
    x, y = torch.load(cfg["data"])
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 64), torch.nn.ReLU(), torch.nn.Linear(64, 5))
    Trainer(model, cfg).fit(x, y)


if __name__ == "__main__":
    main()
