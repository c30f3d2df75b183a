import argparse
from pathlib import Path

import numpy as np

from .ops import mix_noise, speed_perturb


def main():
    parser = argparse.ArgumentParser(prog="speechaug")
    parser.add_argument("src")
    parser.add_argument("dst")
    parser.add_argument("--noise-dir", default="noises")
    args = parser.parse_args()
    noises = [np.load(p) for p in sorted(Path(args.noise_dir).glob("*.npy"))]
    for path in sorted(Path(args.src).glob("*.npy")):
        wav = np.load(path)
        wav = speed_perturb(wav, factor=np.random.choice([0.9, 1.0, 1.1]))
        wav = mix_noise(wav, noises[np.random.randint(len(noises))], snr_db=np.random.uniform(5, 20))
        np.save(Path(args.dst) / path.name, wav)
