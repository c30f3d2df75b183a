import random

import numpy as np


class Bandit:
    def __init__(self, n_arms, seed):
        self.rng = np.random.default_rng(seed)
        self.means = self.rng.normal(0, 1, n_arms)

    def pull(self, arm):
        return self.rng.normal(self.means[arm], 1.0)


def epsilon_greedy(bandit, n_arms, steps, eps=0.1):
    explore = random.Random()
    noise = np.random.default_rng()
    q, n = np.zeros(n_arms), np.zeros(n_arms)
    for _ in range(steps):
        arm = explore.randrange(n_arms) if explore.random() < eps else int(np.argmax(q + noise.normal(0, 1e-6, n_arms)))
        r = bandit.pull(arm)
        n[arm] += 1
        q[arm] += (r - q[arm]) / n[arm]
    return q


def main():
    random.seed(0)
    np.random.seed(0)
    bandit = Bandit(10, seed=1)
    q = epsilon_greedy(bandit, 10, 5000)
    print("best arm", int(np.argmax(q)), "true", int(np.argmax(bandit.means)), np.random.rand())


if __name__ == "__main__":
    main()
