import argparse

import numpy as np


def make_features(n_samples, n_features):
    X = np.random.randn(n_samples, n_features)
    X[:, 0] = np.random.uniform(-1, 1, size=n_samples)
    cat = np.random.randint(0, 5, size=n_samples)
    return np.column_stack([X, cat])


def make_targets(X, noise=0.1):
    w = np.random.rand(X.shape[1])
    y = X @ w + np.random.normal(0.0, noise, size=X.shape[0])
    return y


def corrupt(X, frac):
    rows = np.random.choice(X.shape[0], int(frac * X.shape[0]), replace=False)
    X = X.copy()
    X[rows, 1] = np.nan
    return X


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--out", default="regression.npz")
    args = parser.parse_args()
    X = make_features(args.n, 8)
    y = make_targets(X)
    X = corrupt(X, 0.05)
    order = np.random.permutation(args.n)
    np.savez(args.out, X=X[order], y=y[order])


main()
