import argparse

import gym
import torch

from rng_utils import EpochShuffler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(0)
    env = gym.make("CartPole-v1")
    env.seed(0)
    env.action_space.seed(0)
    gen = torch.Generator().manual_seed(1)
    if args.fresh:
        gen.seed()
    policy = torch.nn.Linear(4, 2)
    shuffler = EpochShuffler(args.episodes, seed=2)
    for ep in shuffler.order().tolist():
        obs, done = env.reset(), False
        while not done:
            logits = policy(torch.as_tensor(obs, dtype=torch.float32))
            action = int(torch.multinomial(logits.softmax(-1), 1, generator=gen))
            obs, reward, done, info = env.step(action)
        print("episode", ep, "done")


if __name__ == "__main__":
    main()
