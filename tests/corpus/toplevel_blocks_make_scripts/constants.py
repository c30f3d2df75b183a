"""Shared constants for the attention benchmarks."""
import random

import torch

SEQ_LENS = [256, 512, 1024, 2048]
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}
WARMUP_SHAPE = (2, 4, 128, 64)
WARMUP_TENSOR = torch.randn(*WARMUP_SHAPE)
PROBE_LEN = random.choice(SEQ_LENS)
