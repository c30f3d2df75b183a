import random

from PIL import Image, ImageEnhance


def random_crop(img, size, random):
    w, h = img.size
    left = random.randint(0, w - size)
    top = random.randint(0, h - size)
    return img.crop((left, top, left + size, top + size))


def maybe_flip(img, random, p=0.5):
    if random.random() < p:
        return img.transpose(Image.FLIP_LEFT_RIGHT)
    return img


def color_jitter(img, strength=0.4):
    factor = 1.0 + random.uniform(-strength, strength)
    return ImageEnhance.Color(img).enhance(factor)
