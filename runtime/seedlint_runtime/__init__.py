"""seedlint-runtime: seeding helpers that are correct under multiprocessing and torch.distributed.

The helpers seedlint's fixes insert::

    from seedlint_runtime import seed_everything, seed_worker, seeded_generator

    seed_everything(0)
    loader = DataLoader(ds, shuffle=True, num_workers=4,
                        worker_init_fn=seed_worker, generator=seeded_generator())

No required dependencies: numpy and torch are used when installed (and imported only when a
helper needs them).
"""

from __future__ import annotations

from seedlint_runtime.seeding import current_seed, derive_seed, seed_everything
from seedlint_runtime.state import capture_rng_state, isolate_rng, restore_rng_state
from seedlint_runtime.workers import seed_worker, seeded_generator

__all__ = [
    "__version__",
    "capture_rng_state",
    "current_seed",
    "derive_seed",
    "isolate_rng",
    "restore_rng_state",
    "seed_everything",
    "seed_worker",
    "seeded_generator",
]

__version__ = "0.1.0"
