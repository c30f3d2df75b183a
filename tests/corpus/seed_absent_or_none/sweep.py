import argparse
import json
import random
import subprocess

import numpy as np


def run(lr, wd, batch_size):
    cmd = ["python", "train.py", f"--lr={lr}", f"--wd={wd}", f"--bs={batch_size}"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=16)
    args = parser.parse_args()
    results = []
    for trial in range(args.trials):
        random.seed()
        np.random.seed(None)
        lr = 10 ** random.uniform(-5, -2)
        wd = float(np.random.choice([0.0, 1e-4, 1e-2]))
        results.append({"trial": trial, "lr": lr, "wd": wd, "acc": run(lr, wd, 128)})
    with open("sweep.json", "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
