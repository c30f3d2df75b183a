import torch

from models import Critic, Generator


def gradient_penalty(critic, real, fake):
    eps = torch.rand(real.shape[0], 1)
    mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
    grad = torch.autograd.grad(critic(mix).sum(), mix, create_graph=True)[0]
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


def main():
    torch.manual_seed(7)
    G = Generator(latent_dim=64)
    D = Critic()
    optG = torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.0, 0.9))
    optD = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.0, 0.9))
    data = torch.load("mnist_flat.pt")
    for step in range(5000):
        real = data[torch.randint(0, len(data), (64,))]
        fake = G.sample(64)
        lossD = D(fake.detach()).mean() - D(real).mean() + 10 * gradient_penalty(D, real, fake.detach())
        optD.zero_grad()
        lossD.backward()
        optD.step()
        if step % 5 == 0:
            lossG = -D(G.sample(64)).mean()
            optG.zero_grad()
            lossG.backward()
            optG.step()
    torch.save(G.state_dict(), "G.pt")


if __name__ == "__main__":
    main()
