import random

import gymnasium as gym

env = gym.make("LunarLander-v3")
n_actions = env.action_space.n
returns = []
try:
    obs, _ = env.reset(seed=123)
    total, done = 0.0, False
    while not done:
        action = random.randrange(n_actions)
        obs, reward, terminated, truncated, _ = env.step(action)
        total += reward
        done = terminated or truncated
    returns.append(total)
except KeyboardInterrupt:
    pass
finally:
    env.close()
