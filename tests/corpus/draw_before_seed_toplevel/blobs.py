import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

n_clusters = 4
centers = torch.randn(n_clusters, 2) * 5
torch.manual_seed(0)

points = torch.cat([c + torch.randn(200, 2) for c in centers])
labels = torch.arange(n_clusters).repeat_interleave(200)
perm = torch.randperm(points.shape[0])
points, labels = points[perm], labels[perm]

plt.figure(figsize=(5, 5))
plt.scatter(points[:, 0], points[:, 1], c=labels, s=2, cmap="tab10")
plt.savefig("blobs.png", dpi=150)
torch.save({"points": points, "labels": labels}, "blobs.pt")
