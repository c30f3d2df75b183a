import argparse

import torch
from mmengine.config import Config
from mmengine.runner import Runner, set_random_seed


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("--deterministic", action="store_true")
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    seed = set_random_seed(deterministic=args.deterministic)
    cfg.randomness = dict(seed=seed, deterministic=args.deterministic)
    probe = torch.rand(1, 3, 512, 512)
    runner = Runner.from_cfg(cfg)
    runner.model(probe)
    runner.train()


if __name__ == "__main__":
    main()
