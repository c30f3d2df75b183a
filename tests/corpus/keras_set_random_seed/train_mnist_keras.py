import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import random

import keras
import numpy as np


def load(path="mnist.npz"):
    with np.load(path) as f:
        x, y = f["x_train"].astype("float32") / 255.0, f["y_train"]
    return x[..., None], y


def augment(x):
    shifts = np.random.randint(-2, 3, size=(len(x), 2))
    out = np.stack([np.roll(img, tuple(s), axis=(0, 1)) for img, s in zip(x, shifts)])
    return out + np.random.normal(0, 0.02, size=out.shape).astype("float32")


def main():
    keras.utils.set_random_seed(812)
    x, y = load()
    val = random.sample(range(len(x)), 5000)
    mask = np.ones(len(x), bool)
    mask[val] = False
    model = keras.Sequential([
        keras.layers.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(augment(x[mask]), y[mask], validation_data=(x[~mask], y[~mask]), epochs=3)


if __name__ == "__main__":
    main()
