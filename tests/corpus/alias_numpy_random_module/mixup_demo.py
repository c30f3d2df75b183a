import numpy as np
import numpy.random as nr
from numpy import random as npr


def mixup_batch(images, labels, alpha=0.4):
    lam = npr.beta(alpha, alpha)
    perm = nr.permutation(len(images))
    mixed = lam * images + (1 - lam) * images[perm]
    return mixed, labels, labels[perm], lam


def cutout(images, size=8):
    out = images.copy()
    h, w = images.shape[1:3]
    for img in out:
        cy, cx = npr.randint(h), npr.randint(w)
        img[max(0, cy - size // 2) : cy + size // 2, max(0, cx - size // 2) : cx + size // 2] = 0
    return out


if __name__ == "__main__":
    data = np.load("cifar_batch.npz")
    images, labels = data["x"].astype(np.float32) / 255.0, data["y"]
    mixed, ya, yb, lam = mixup_batch(cutout(images), labels)
    np.savez("mixed.npz", x=mixed, ya=ya, yb=yb, lam=lam)
