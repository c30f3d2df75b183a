import random
from pathlib import Path

import torch
from fastai.torch_core import set_seed
from fastai.vision.all import ImageDataLoaders, Resize, resnet18, vision_learner


def pick_subset(files, n):
    files = list(files)
    random.shuffle(files)
    return files[:n]


def main():
    set_seed(42, reproducible=True)
    path = Path("data/pets/images")
    files = pick_subset(path.glob("*.jpg"), 2000)
    dls = ImageDataLoaders.from_name_func(path, files, lambda f: f.name[0].isupper(), item_tfms=Resize(224))
    learn = vision_learner(dls, resnet18)
    learn.fine_tune(1)
    print(learn.predict(torch.rand(3, 224, 224)))


if __name__ == "__main__":
    main()
