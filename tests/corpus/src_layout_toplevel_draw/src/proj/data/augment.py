import numpy as np
import torch

_PCA_EIGVAL = torch.tensor([0.2175, 0.0188, 0.0045])
_PCA_EIGVEC = torch.tensor([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]])
_LIGHTING_ALPHA = torch.from_numpy(np.random.normal(0.0, 0.1, size=3).astype(np.float32))


class ColorJitter:
    def __init__(self, brightness=0.4):
        self.brightness = brightness

    def __call__(self, img):
        factor = 1.0 + self.brightness * (2 * torch.rand(1) - 1)
        rgb = (_PCA_EIGVEC @ (_LIGHTING_ALPHA * _PCA_EIGVAL)).view(3, 1, 1)
        return (img * factor + rgb).clamp(0, 1)
