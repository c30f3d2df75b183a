import time

import numpy as np


def bootstrap_rows(n):
    idx = np.arange(n)
    np.random.shuffle(idx)
    return idx[: int(0.8 * n)]


def fit_stumps(X, y, n_rounds=50):
    stumps = []
    for _ in range(n_rounds):
        rows = bootstrap_rows(len(X))
        feat = np.random.randint(X.shape[1])
        thr = np.median(X[rows, feat])
        stumps.append((feat, thr, y[rows][X[rows, feat] > thr].mean()))
    return stumps


def main():
    s = int(time.time())
    np.random.seed(s)
    print("seed", s)
    data = np.load("tabular.npz")
    stumps = fit_stumps(data["X"], data["y"])
    np.save("stumps.npy", np.array(stumps))


if __name__ == "__main__":
    main()
