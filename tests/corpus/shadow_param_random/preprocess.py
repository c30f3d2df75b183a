import random
import sys
from pathlib import Path

from PIL import Image

from transforms import color_jitter, maybe_flip, random_crop


def process(src, dst, seed):
    rng = random.Random(seed)
    for path in sorted(Path(src).glob("*.jpg")):
        img = Image.open(path).convert("RGB")
        img = maybe_flip(random_crop(img, 224, rng), rng)
        img = color_jitter(img)
        img.save(Path(dst) / path.name)


if __name__ == "__main__":
    process(sys.argv[1], sys.argv[2], seed=int(sys.argv[3]))
