import labtools
import numpy as np
import torch


def main():
    labtools.reseed(0)
    feats, labels = torch.load("features.pt")
    val = np.random.choice(len(feats), 1000, replace=False)
    mask = torch.ones(len(feats), dtype=torch.bool)
    mask[torch.from_numpy(val)] = False
    clf = torch.nn.Linear(feats.shape[1], 10)
    opt = torch.optim.LBFGS(clf.parameters())

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(clf(feats[mask]), labels[mask])
        loss.backward()
        return loss

    opt.step(closure)
    print((clf(feats[~mask]).argmax(1) == labels[~mask]).float().mean().item())


if __name__ == "__main__":
    main()
