import argparse

import torch
import torch.nn as nn

nz, ngf, ndf = 100, 64, 64


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, 3, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(3, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, 1, 8, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.main(x).view(-1)


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        m.weight.data.normal_(0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        m.weight.data.normal_(1.0, 0.02)
        m.bias.data.fill_(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iters", type=int, default=1000)
    opt = parser.parse_args()
    netG, netD = Generator(), Discriminator()
    netG.apply(weights_init)
    netD.apply(weights_init)
    real = torch.load("celeba_16x16.pt")
    fixed_noise = torch.FloatTensor(64, nz, 1, 1).normal_(0, 1)
    criterion = nn.BCELoss()
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    for it in range(opt.iters):
        batch = real[(it * 64) % len(real) :][:64]
        label_real = torch.empty(batch.shape[0]).uniform_(0.8, 1.0)
        noise = torch.empty(batch.shape[0], nz, 1, 1).normal_()
        fake = netG(noise)
        lossD = criterion(netD(batch), label_real) + criterion(netD(fake.detach()), torch.zeros(batch.shape[0]))
        optD.zero_grad()
        lossD.backward()
        optD.step()
        lossG = criterion(netD(fake), torch.ones(batch.shape[0]))
        optG.zero_grad()
        lossG.backward()
        optG.step()
    torch.save(netG(fixed_noise), "samples.pt")


if __name__ == "__main__":
    main()
