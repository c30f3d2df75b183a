import time

import torch
import torch.nn.functional as F

B, H, L, D = 8, 12, 1024, 64
results = {}
with torch.no_grad():
    q = torch.randn(B, H, L, D)
    k = torch.randn(B, H, L, D)
    v = torch.randn(B, H, L, D)
    start = time.perf_counter()
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.0)
    results["sdpa_ms"] = (time.perf_counter() - start) * 1000
