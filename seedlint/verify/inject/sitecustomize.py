"""Injected by ``seedlint verify`` (on ``PYTHONPATH``): record the run's draws, batches and
optimizer steps. Does nothing unless ``SEEDLINT_VERIFY_OUT`` is set."""

try:
    from seedlint.verify.recorder import install

    install()
except Exception as exc:  # never break the user's program
    import sys

    sys.stderr.write(f"seedlint verify: recording disabled ({type(exc).__name__}: {exc})\n")
