import argparse
import time

import torch
from mmengine.config import Config
from mmengine.runner import Runner, set_random_seed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    set_random_seed(0, deterministic=True)
    model = Runner.from_cfg(cfg).model.eval()
    inputs = torch.rand(4, 3, 512, 512)
    with torch.no_grad():
        for _ in range(5):
            model(inputs)
        start = time.perf_counter()
        for _ in range(50):
            model(inputs)
    print(f"{(time.perf_counter() - start) / 50 * 1000:.1f} ms/iter")


if __name__ == "__main__":
    main()
