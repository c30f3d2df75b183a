from __future__ import annotations

import os
import sys

# ``python -m seedlint`` puts the working directory first on sys.path: in a linted folder with a
# ``tomllib.py`` or ``numpy.py`` that would import (run) the user's code instead of the real
# module. seedlint never needs the working directory on its path.
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.path.abspath(os.curdir):
    del sys.path[0]

from seedlint.cli import main

if __name__ == "__main__":
    sys.exit(main())
