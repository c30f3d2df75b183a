import numpy as np
import torch

emb = torch.load("embeddings.pt").numpy()
sample_idx = np.random.choice(len(emb), 2000, replace=False)
sample = emb[sample_idx]
proj = np.random.randn(sample.shape[1], 2)
coords = sample @ proj
noise = torch.randn(len(coords), 2) * 0.01
coords = coords + noise.numpy()
summary = {"mean": coords.mean(0), "std": coords.std(0)}
