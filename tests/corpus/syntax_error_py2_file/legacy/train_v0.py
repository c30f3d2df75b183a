import random

import numpy as np


def train(epochs):
    for e in range(epochs):
        loss = np.random.rand()
        print "epoch", e, "loss", loss
    return loss


if __name__ == "__main__":
    random.seed(0)
    train(10)
