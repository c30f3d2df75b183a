import argparse
import os

import numpy as np

from data import JitteredPoints, legacy_stream, rank_stream


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rank = int(os.environ.get("RANK", 0))
    rng = rank_stream(args.seed, rank)
    points = rng.standard_normal((1000, 1024, 3))
    order = np.random.default_rng(0).permutation(len(points))
    ds = JitteredPoints(points[order], seed=args.seed)
    holdout = legacy_stream(args.seed).choice(len(ds), 50, replace=False)
    np.save("holdout.npy", holdout)


if __name__ == "__main__":
    main()
