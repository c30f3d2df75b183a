import copy
import random

import torch
import torch.nn as nn

from ..nets import NoisyLinear
from .replay import ReplayBuffer


class DQNAgent:
    def __init__(self, obs_dim, n_actions, eps=0.05, gamma=0.99):
        self.q = nn.Sequential(nn.Linear(obs_dim, 128), nn.ReLU(), NoisyLinear(128, n_actions))
        self.target = copy.deepcopy(self.q)
        self.buffer = ReplayBuffer(100_000, obs_dim)
        self.opt = torch.optim.Adam(self.q.parameters(), lr=1e-4)
        self.n_actions, self.eps, self.gamma = n_actions, eps, gamma

    def act(self, obs):
        if random.random() < self.eps:
            return random.randrange(self.n_actions)
        with torch.no_grad():
            return int(self.q(torch.as_tensor(obs).float()).argmax())

    def learn(self, batch_size=32):
        o, a, r, o2, d = map(torch.as_tensor, self.buffer.sample(batch_size))
        self.q[-1].reset_noise()
        with torch.no_grad():
            y = r + self.gamma * (1 - d) * self.target(o2).max(1).values
        loss = nn.functional.smooth_l1_loss(self.q(o).gather(1, a[:, None]).squeeze(1), y)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
