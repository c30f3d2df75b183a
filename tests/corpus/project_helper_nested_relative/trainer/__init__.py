"""Minimal trainer package for sequence classification."""

__version__ = "0.3.1"
