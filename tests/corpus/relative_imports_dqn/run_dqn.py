import gymnasium as gym

from rlbench.agents import DQNAgent


def main():
    env = gym.make("CartPole-v1")
    agent = DQNAgent(env.observation_space.shape[0], env.action_space.n)
    obs, _ = env.reset(seed=0)
    for step in range(50_000):
        a = agent.act(obs)
        obs2, r, term, trunc, _ = env.step(a)
        agent.buffer.add(obs, a, r, obs2, float(term))
        obs = obs2
        if term or trunc:
            obs, _ = env.reset()
        if step > 1000:
            agent.learn()


if __name__ == "__main__":
    main()
