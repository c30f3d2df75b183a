import torch

from .detector import AnchorDetector

ANCHOR_JITTER = torch.rand(9, 2) * 0.1

__all__ = ["AnchorDetector", "ANCHOR_JITTER"]
