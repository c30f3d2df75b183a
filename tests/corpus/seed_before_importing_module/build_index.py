import random

import numpy as np
import torch

SEED = 0
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

from embeddings import bucket, project

vectors = torch.load("doc_vectors.pt")
ids = torch.arange(len(vectors))
index = {"proj": project(vectors), "buckets": bucket(ids)}
sample = random.sample(range(len(vectors)), 10)
torch.save(index, "index.pt")
print("sanity", project(vectors[sample]).norm(dim=1))
