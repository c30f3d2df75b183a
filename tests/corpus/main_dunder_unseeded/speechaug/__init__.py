"""Offline speech augmentation: speed perturbation, noise mixing, SpecAugment."""
