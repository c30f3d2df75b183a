"""seedlint: find and fix uncontrolled randomness in PyTorch / NumPy / Python experiments."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
