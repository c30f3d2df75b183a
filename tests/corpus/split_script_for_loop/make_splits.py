import json
import os
import random

ROOT = "data/images"
VAL_FRACTION = 0.1

classes = sorted(os.listdir(ROOT))
splits = {"train": [], "val": [], "test": []}
for cls in classes:
    files = sorted(os.listdir(os.path.join(ROOT, cls)))
    random.shuffle(files)
    n_val = max(1, int(len(files) * VAL_FRACTION))
    splits["val"] += [(f, cls) for f in files[:n_val]]
    splits["test"] += [(f, cls) for f in files[n_val : 2 * n_val]]
    splits["train"] += [(f, cls) for f in files[2 * n_val :]]

held_out = random.sample(classes, k=2)
splits["novel"] = held_out
with open("splits.json", "w") as f:
    json.dump(splits, f, indent=2)
print({k: len(v) for k, v in splits.items()})
