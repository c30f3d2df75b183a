"""The directory ``seedlint verify`` puts on ``PYTHONPATH`` (its ``sitecustomize``)."""
