import argparse
import random

import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--nz", type=int, default=100)
parser.add_argument("--manualSeed", type=int, help="manual seed")
opt = parser.parse_args()

if opt.manualSeed is None:
    opt.manualSeed = random.randint(1, 10000)
print("Random Seed: ", opt.manualSeed)
random.seed(opt.manualSeed)
torch.manual_seed(opt.manualSeed)

netG = nn.Sequential(nn.ConvTranspose2d(opt.nz, 64, 4, 1, 0), nn.ReLU(), nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Tanh())
for m in netG.modules():
    if isinstance(m, nn.ConvTranspose2d):
        nn.init.normal_(m.weight, 0.0, 0.02)
fixed_noise = torch.randn(64, opt.nz, 1, 1)
torch.save(netG(fixed_noise), "fixed_samples.pt")
