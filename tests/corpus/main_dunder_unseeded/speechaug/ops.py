import numpy as np


def speed_perturb(wav, factor):
    idx = np.arange(0, len(wav), factor)
    return np.interp(idx, np.arange(len(wav)), wav).astype(wav.dtype)


def mix_noise(wav, noise, snr_db):
    if len(noise) < len(wav):
        noise = np.tile(noise, len(wav) // len(noise) + 1)
    start = np.random.randint(0, len(noise) - len(wav) + 1)
    noise = noise[start : start + len(wav)]
    scale = np.sqrt((wav**2).mean() / ((noise**2).mean() * 10 ** (snr_db / 10) + 1e-12))
    return wav + scale * noise
