import math

import torch
from torch import bernoulli, rand_like
from torch import randn as r


def cosine_alphas(T, s=0.008):
    t = torch.linspace(0, T, T + 1)
    f = torch.cos(((t / T) + s) / (1 + s) * math.pi / 2) ** 2
    return (f / f[0]).clamp(1e-5, 1.0)


def q_sample(x0, alphas_bar, t):
    noise = r(*x0.shape)
    a = alphas_bar[t].view(-1, *([1] * (x0.dim() - 1)))
    return a.sqrt() * x0 + (1 - a).sqrt() * noise, noise


def drop_condition(cond, p_uncond=0.1):
    keep = bernoulli(torch.full((cond.shape[0], 1), 1 - p_uncond))
    return cond * keep


def dequantize(x):
    return (x * 255 + rand_like(x)) / 256


if __name__ == "__main__":
    alphas = cosine_alphas(1000)
    x0 = dequantize(torch.load("latents.pt"))
    t = torch.randint(0, 1000, (x0.shape[0],))
    xt, eps = q_sample(x0, alphas, t)
    cond = drop_condition(torch.ones(x0.shape[0], 77))
    torch.save({"xt": xt, "eps": eps, "cond": cond}, "noised.pt")
