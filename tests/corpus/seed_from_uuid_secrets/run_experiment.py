import json
import random
import secrets
import uuid

import numpy as np
import torch


def new_run():
    run_id = uuid.uuid4()
    run_seed = run_id.int % (2**32)
    return str(run_id), run_seed


def main():
    run_id, run_seed = new_run()
    seed = uuid.uuid4().int & 0xFFFFFFFF
    rng = np.random.default_rng(seed)
    g = torch.Generator().manual_seed(secrets.randbits(32))
    token_rng = random.Random(secrets.randbelow(10**6))
    sys_seed = random.SystemRandom().randint(0, 2**31 - 1)
    torch.manual_seed(sys_seed)
    weights = torch.randn(16, 16, generator=g)
    perm = rng.permutation(100)
    tag = "".join(token_rng.choice("abcdef") for _ in range(6))
    with open(f"run_{run_id}_{tag}.json", "w") as f:
        json.dump({"seed": run_seed, "perm": perm.tolist(), "w": weights.sum().item()}, f)


if __name__ == "__main__":
    main()
