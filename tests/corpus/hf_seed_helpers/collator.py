import random

import numpy as np
import torch


def mask_tokens(inputs, vocab_size, mask_id, mlm_probability=0.15):
    labels = inputs.clone()
    prob = torch.full(labels.shape, mlm_probability)
    masked = torch.bernoulli(prob).bool()
    labels[~masked] = -100
    replace = torch.bernoulli(torch.full(labels.shape, 0.8)).bool() & masked
    inputs[replace] = mask_id
    rand = torch.bernoulli(torch.full(labels.shape, 0.5)).bool() & masked & ~replace
    inputs[rand] = torch.randint(vocab_size, labels.shape)[rand]
    return inputs, labels


def span_corrupt(tokens, mean_span=3.0):
    n = len(tokens)
    n_spans = max(1, int(np.random.poisson(n * 0.15 / mean_span)))
    starts = sorted(random.sample(range(n), min(n_spans, n)))
    return [t for i, t in enumerate(tokens) if i not in starts]
