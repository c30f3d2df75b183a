import random

import numpy as np
import torch

SEED = 2718
BATCH_SIZE = 128
LR = 3e-4

random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
