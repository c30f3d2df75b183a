import sys

from tabnet.train import run

sys.exit(run(sys.argv[1:]))
