"""seedlint-runtime: the seeding helpers that seedlint's fixes call.

The public API (``seed_everything``, ``seed_worker``, ``seeded_generator``, ``derive_seed``,
``capture_rng_state`` / ``restore_rng_state``, ``isolate_rng``) is specified in seedlint's DESIGN
and lands with the runtime issue; this package exists so that installs and imports work.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
