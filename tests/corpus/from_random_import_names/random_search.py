import json
import math
import subprocess
from random import choice, shuffle
from random import uniform as runif

SPACE = {
    "lr": (1e-5, 1e-2),
    "batch_size": [16, 32, 64, 128],
    "optimizer": ["adam", "sgd", "adamw"],
}


def sample_config():
    lo, hi = SPACE["lr"]
    return {
        "lr": 10 ** runif(math.log10(lo), math.log10(hi)),
        "batch_size": choice(SPACE["batch_size"]),
        "optimizer": choice(SPACE["optimizer"]),
    }


configs = [sample_config() for _ in range(20)]
shuffle(configs)
results = []
for cfg in configs:
    out = subprocess.run(["python", "train.py", "--config", json.dumps(cfg)], capture_output=True, text=True)
    results.append({"config": cfg, "stdout": out.stdout[-200:]})
with open("search_results.json", "w") as f:
    json.dump(results, f)
