import argparse

import numpy as np

from rng_factory import worker_streams


def simulate_walks(rng, n_steps):
    steps = rng.choice([-1, 1], size=n_steps)
    return np.cumsum(steps)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    streams = worker_streams(args.workers, args.seed)
    walks = np.stack([simulate_walks(rng, 10_000) for rng in streams])
    np.save("walks.npy", walks)


if __name__ == "__main__":
    main()
