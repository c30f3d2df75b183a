"""What an entry point really runs, what really seeds it, one finding per cause (DESIGN: "When is
a draw seeded", "What an entry point runs", "One cause, one finding").

Each test is a realistic reduction of a pattern seen on public ML repositories (a checkpoint
converter, an inference script, a benchmark's loader, fairseq's ``numpy_seed``, baselines' star
re-exports, detectron2's ``seed=-1``), not only the literal snippet.
"""

from __future__ import annotations

import os
from pathlib import Path

from seedlint.config import Settings
from seedlint.engine.runner import lint_paths
from seedlint.findings import Finding

MODEL = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class Block(nn.Module):
        def __init__(self, dim, p=0.1):
            super().__init__()
            self.fc = nn.Linear(dim, dim)
            self.drop = nn.Dropout(p)

        def forward(self, x):
            return x + self.drop(F.gelu(self.fc(x)))


    class TinyGPT(nn.Module):
        def __init__(self, vocab=100, dim=32, depth=2):
            super().__init__()
            self.emb = nn.Embedding(vocab, dim)
            self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])
            self.head = nn.Linear(dim, vocab)

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, std=0.02)

        def forward(self, idx):
            x = self.emb(idx)
            for block in self.blocks:
                x = block(x)
            return F.dropout(self.head(x), 0.1, self.training)

        @torch.no_grad()
        def generate(self, idx, n):
            for _ in range(n):
                probs = self(idx)[:, -1].softmax(-1)
                idx = torch.cat([idx, torch.multinomial(probs, 1)], 1)
            return idx
"""


#: The rules these tests are about (the data-loading rules have their own tests).
CODES = ("RNG001", "RNG002", "RNG003", "RNG101", "RNG102", "RNG103", "RNG201", "RNG202")


def report(root: Path, codes: tuple[str, ...] = CODES):
    """Lint ``root`` from inside it (paths in messages are relative, as users see them)."""
    here = os.getcwd()
    os.chdir(root)
    try:
        result = lint_paths(["."], Settings(root=str(root)), codes=codes)
    finally:
        os.chdir(here)
    assert not result.errors, result.errors
    return result


def labelled(root: Path, codes: tuple[str, ...] = CODES) -> list[str]:
    """``path:LINE: CODE`` per finding, then ``… (related)`` for each of its related locations."""
    out = []
    for f in report(root, codes).findings:
        out.append(f"{f.path}:{f.span.line}: {f.code}")
        out += [f"{r.path}:{r.span.line}: {f.code} (related)" for r in f.related]
    return out


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


# --- methods run only when called ----------------------------------------------------------


def test_checkpoint_converter_runs_neither_forward_nor_generate(tree) -> None:
    root = tree(
        {
            "model.py": MODEL,
            "convert.py": """
                import argparse
                import torch
                from model import TinyGPT

                def main():
                    parser = argparse.ArgumentParser()
                    parser.add_argument("src")
                    parser.add_argument("dst")
                    args = parser.parse_args()
                    model = TinyGPT()
                    state = torch.load(args.src, map_location="cpu")
                    model.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})
                    torch.save(model.half().state_dict(), args.dst)

                if __name__ == "__main__":
                    main()
            """,
        }
    )
    # the weights are loaded (construction is overwritten), forward/generate never run
    assert labelled(root) == []


def test_inference_script_reaches_generate_but_not_training_dropout(tree) -> None:
    root = tree(
        {
            "model.py": MODEL,
            "sample.py": """
                import torch
                from model import TinyGPT

                def main():
                    model = TinyGPT()
                    model.load_state_dict(torch.load("ckpt.pt"))
                    model.eval()
                    out = model.generate(torch.zeros(1, 1, dtype=torch.long), 20)
                    print(out.tolist())

                if __name__ == "__main__":
                    main()
            """,
        }
    )
    # generate() is called: its multinomial draws; eval mode: no dropout draws; the weights
    # are loaded: no construction draws
    assert labelled(root) == ["model.py:37: RNG003"]
    (finding,) = report(root).findings
    assert "`sample.py:8 model.generate(torch.zeros(…), 20)`" in finding.message


def test_training_script_reaches_forward_construction_and_dropout_as_one_cause(tree) -> None:
    root = tree(
        {
            "model.py": MODEL,
            "train.py": """
                import torch
                from model import TinyGPT

                def main():
                    model = TinyGPT()
                    opt = torch.optim.AdamW(model.parameters(), lr=3e-4)
                    data = torch.load("tokens.pt")
                    for step in range(100):
                        logits = model(data[step])
                        loss = logits.logsumexp(-1).mean()
                        opt.zero_grad()
                        loss.backward()
                        opt.step()

                if __name__ == "__main__":
                    main()
            """,
        }
    )
    got = labelled(root)
    # one missing torch seed: the first draw (the embedding) is the finding, the rest related
    assert got[0] == "model.py:19: RNG003"
    related = {line for line in got[1:]}
    assert related == {
        "model.py:9: RNG003 (related)",  # Block's Linear
        "model.py:10: RNG003 (related)",  # Block's Dropout, called in training mode
        "model.py:21: RNG003 (related)",  # the head
        "model.py:31: RNG003 (related)",  # functional dropout with self.training
    }
    # generate() and _init_weights() are never called: lines 25 and 37 are not reached
    (finding,) = report(root).findings
    assert "`train.py:5 TinyGPT()` → `model.py:19 nn.Embedding(vocab, dim)`" in finding.message


def test_methods_applied_as_values_run(tree) -> None:
    root = tree(
        {
            "model.py": MODEL.replace(
                "self.head = nn.Linear(dim, vocab)",
                "self.head = nn.Linear(dim, vocab)\n            self.apply(self._init_weights)",
            ),
            "train.py": """
                import torch
                from model import TinyGPT

                if __name__ == "__main__":
                    torch.manual_seed(0)
                    model = TinyGPT()
                    print(model(torch.zeros(1, 4, dtype=torch.long)))
            """,
            "init_then_seed.py": """
                import torch
                from model import TinyGPT

                if __name__ == "__main__":
                    model = TinyGPT()
                    torch.manual_seed(0)
            """,
        }
    )
    got = labelled(root)
    # before the seed line: each draw is its own finding; _init_weights runs through apply()
    assert "model.py:26: RNG003" in got
    assert all(line.startswith("model.py:") and "related" not in line for line in got)


def test_dataset_methods_run_through_the_loader(tree) -> None:
    root = tree(
        {
            "data.py": """
                import random
                import numpy as np
                from torch.utils.data import Dataset

                class Crops(Dataset):
                    def __init__(self, images, augment=True):
                        self.images = images
                        self.augment = augment

                    def __len__(self):
                        return len(self.images)

                    def __getitem__(self, i):
                        img = self.images[i]
                        if self.augment:
                            img = np.roll(img, np.random.randint(4))
                        return img

                    def visualise(self):
                        return random.sample(self.images, 4)
            """,
            "train.py": """
                import torch
                from torch.utils.data import DataLoader
                from data import Crops

                def main():
                    ds = Crops(torch.load("images.pt"))
                    loader = DataLoader(ds, batch_size=8, num_workers=0)
                    for batch in loader:
                        print(batch.shape)

                if __name__ == "__main__":
                    main()
            """,
            "bench.py": """
                import torch
                from torch.utils.data import DataLoader
                from data import Crops

                if __name__ == "__main__":
                    torch.manual_seed(0)
                    ds = Crops(torch.load("images.pt"), augment=False)
                    for batch in DataLoader(ds, batch_size=64, num_workers=4):
                        pass
            """,
        }
    )
    # train.py: no workers, numpy never seeded; bench.py: augment=False (and workers seeded
    # from torch); visualise() is never called
    assert labelled(root) == ["data.py:16: RNG002"]
    (finding,) = report(root).findings
    assert finding.entry_point is not None and finding.entry_point.endswith("train.py")


def test_worker_side_code_is_seeded_through_torch(tree) -> None:
    root = tree(
        {
            "data.py": """
                import numpy as np
                from torch.utils.data import Dataset

                class Noisy(Dataset):
                    def __len__(self):
                        return 100

                    def __getitem__(self, i):
                        return np.random.normal(size=3)
            """,
            "seeded.py": """
                import torch
                from torch.utils.data import DataLoader
                from data import Noisy

                if __name__ == "__main__":
                    torch.manual_seed(0)
                    for x in DataLoader(Noisy(), num_workers=4):
                        print(x)
            """,
            "unseeded.py": """
                import numpy as np
                from torch.utils.data import DataLoader
                from data import Noisy

                if __name__ == "__main__":
                    np.random.seed(0)  # the workers reseed NumPy from torch: this does not help
                    for x in DataLoader(Noisy(), num_workers=4):
                        print(x)
            """,
        }
    )
    got = report(root).findings
    assert [(f.path, f.span.line, f.code) for f in got] == [("data.py", 9, "RNG002")]
    assert got[0].entry_point == "unseeded.py"
    assert "DataLoader worker processes" in got[0].message


# --- known values -----------------------------------------------------------------------------


def test_constructor_flags_stored_on_self_decide_branches(tree) -> None:
    root = tree(
        {
            "transforms.py": """
                import random
                import numpy as np

                class Albumentations:
                    def __init__(self, size=640):
                        self.size = size
                        self.p = np.random.uniform(0.0, 0.1)

                    def __call__(self, im):
                        return im

                class LoadImages:
                    def __init__(self, files, augment=False, center_crop=True, mosaic_p=0.0):
                        self.files = files
                        self.augment = augment
                        self.center_crop = center_crop
                        self.mosaic_p = mosaic_p
                        self.albumentations = Albumentations() if augment else None

                    def __len__(self):
                        return len(self.files)

                    def __getitem__(self, i):
                        im = self.files[i]
                        if self.albumentations:
                            im = self.albumentations(im)
                        if self.augment:
                            im = im[::-1] if random.random() < 0.5 else im
                        if self.center_crop:
                            im = im[8:-8]
                        else:
                            im = im[random.randint(0, 16) :]
                        if self.mosaic_p > 0 and random.random() < self.mosaic_p:
                            im = im + im
                        return im
            """,
            "benchmark_loader.py": """
                import time
                from torch.utils.data import DataLoader
                from transforms import LoadImages

                def main():
                    loader = DataLoader(LoadImages(["a.jpg"] * 100), batch_size=1)
                    start = time.time()
                    for _ in loader:
                        pass
                    print(time.time() - start)

                if __name__ == "__main__":
                    main()
            """,
        }
    )
    # augment=False, center_crop=True, mosaic_p=0.0 by default: nothing random runs
    assert labelled(root) == []


def test_a_flag_passed_true_makes_the_branch_run(tree) -> None:
    root = tree(
        {
            "lib.py": """
                import random

                class Flip:
                    def __init__(self, augment=False):
                        self.augment = augment

                    def __call__(self, x):
                        if self.augment:
                            return x[::-1] if random.random() < 0.5 else x
                        return x

                    def reset(self):
                        self.augment = not self.augment
            """,
            "train.py": """
                from lib import Flip
                if __name__ == "__main__":
                    flip = Flip(augment=True)
                    print(flip([1, 2, 3]))
            """,
        }
    )
    assert labelled(root) == ["lib.py:9: RNG001"]


def test_attribute_assigned_twice_is_not_a_known_value(tree) -> None:
    root = tree(
        {
            "lib.py": """
                import random

                class Flip:
                    def __init__(self):
                        self.augment = False

                    def train(self):
                        self.augment = True

                    def __call__(self, x):
                        if self.augment:
                            return x[::-1] if random.random() < 0.5 else x
                        return x
            """,
            "run.py": """
                from lib import Flip
                if __name__ == "__main__":
                    print(Flip()([1, 2]))
            """,
        }
    )
    assert labelled(root) == ["lib.py:12: RNG001"]


def test_module_constants_and_short_circuits(tree) -> None:
    root = tree(
        {
            "aug.py": """
                import random

                USE_CUTOUT = False
                P_JITTER = 0.0

                def cutout(x):
                    if USE_CUTOUT:
                        x = x[random.randint(0, 3):]
                    return x

                def jitter(x, p=P_JITTER):
                    if p > 0 and random.random() < p:
                        x = x * 1.1
                    return x

                def maybe_flip(x, p):
                    return x[::-1] if p and random.random() < p else x
            """,
            "run.py": """
                from aug import cutout, jitter, maybe_flip
                if __name__ == "__main__":
                    print(cutout([1, 2]), jitter([3]), maybe_flip([1], 0))
            """,
        }
    )
    assert labelled(root) == []


def test_argparse_defaults_decide_branches(tree) -> None:
    root = tree(
        {
            "train.py": """
                import argparse
                import random
                import numpy as np

                def train(args):
                    if args.noise > 0:
                        print(np.random.normal(0, args.noise))
                    if args.shuffle:
                        items = list(range(10))
                        random.shuffle(items)

                def main():
                    parser = argparse.ArgumentParser()
                    parser.add_argument("--noise", type=float, default=0.0)
                    parser.add_argument("--shuffle", action="store_true")
                    args = parser.parse_args()
                    train(args)

                if __name__ == "__main__":
                    main()
            """
        }
    )
    assert labelled(root) == []


# --- seeding through the same edges as draws ------------------------------------------------


def test_seeding_context_manager_seeds_its_block_and_restores(tree) -> None:
    root = tree(
        {
            "fairseq_like/data_utils.py": """
                import contextlib
                import numpy as np

                @contextlib.contextmanager
                def numpy_seed(seed, *addl_seeds):
                    if seed is None:
                        yield
                        return
                    state = np.random.get_state()
                    np.random.seed(seed)
                    try:
                        yield
                    finally:
                        np.random.set_state(state)
            """,
            "fairseq_like/__init__.py": "",
            "fairseq_like/dataset.py": """
                import numpy as np
                from fairseq_like import data_utils

                class ShuffledDataset:
                    def __init__(self, sizes, epoch=1):
                        self.sizes = sizes
                        self.epoch = epoch

                    def ordered_indices(self):
                        with data_utils.numpy_seed(self.epoch):
                            order = np.random.permutation(len(self.sizes))
                        noise = np.random.rand()
                        return order, noise
            """,
            "train.py": """
                from fairseq_like.dataset import ShuffledDataset
                if __name__ == "__main__":
                    print(ShuffledDataset([3, 1, 2]).ordered_indices())
            """,
        }
    )
    # the permutation inside the block is seeded; the draw after it is not (state restored)
    assert labelled(root) == ["fairseq_like/dataset.py:12: RNG002"]


def test_seeding_helper_through_star_reexports(tree) -> None:
    root = tree(
        {
            "baselines_like/__init__.py": "",
            "baselines_like/common/__init__.py": """
                from baselines_like.common.math_util import *
                from baselines_like.common.misc_util import *
            """,
            "baselines_like/common/math_util.py": """
                def explained_variance(y, yhat):
                    return 1 - (y - yhat).var() / y.var()
            """,
            "baselines_like/common/misc_util.py": """
                import random
                import numpy as np

                def set_global_seeds(i):
                    np.random.seed(i)
                    random.seed(i)
            """,
            "run.py": """
                import random
                import numpy as np
                from baselines_like.common import *

                def main():
                    set_global_seeds(0)
                    print(np.random.rand(), random.random(), explained_variance)

                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert labelled(root) == []


def test_seeding_helper_through_partial_and_cli(tree) -> None:
    root = tree(
        {
            "algo.py": """
                import random
                import numpy as np

                def learn(env, total_timesteps=100, seed=None):
                    if seed is not None:
                        random.seed(seed)
                        np.random.seed(seed)
                    return [np.random.randint(4) for _ in range(total_timesteps)]
            """,
            "run_partial.py": """
                import functools
                from algo import learn

                if __name__ == "__main__":
                    train = functools.partial(learn, seed=0)
                    print(train("CartPole-v1"))
            """,
            "run_cli.py": """
                import random
                from jsonargparse import CLI
                from algo import learn

                def run(env: str = "CartPole-v1", seed: int = 0):
                    random.seed(seed)
                    actions = learn(env, seed=seed)
                    print(actions, random.random())

                if __name__ == "__main__":
                    CLI(run)
            """,
        }
    )
    assert labelled(root) == []


# --- one cause, one finding --------------------------------------------------------------------


def test_unseeded_script_gets_one_finding_per_library(tree) -> None:
    root = tree(
        {
            "gan.py": """
                import random
                import numpy as np
                import torch
                import torch.nn as nn

                def sample_z(n):
                    return torch.randn(n, 100)

                def main():
                    G = nn.Sequential(nn.Linear(100, 256), nn.ReLU(), nn.Linear(256, 784))
                    D = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 1))
                    for epoch in range(10):
                        idx = np.random.permutation(1000)
                        fake = G(sample_z(64))
                        if random.random() < 0.1:
                            print(epoch, D(fake).mean().item(), idx[:3])

                if __name__ == "__main__":
                    main()
            """
        }
    )
    got = report(root).findings
    assert sorted((f.code, f.span.line, len(f.related)) for f in got) == [
        ("RNG001", 15, 0),
        ("RNG002", 13, 0),
        ("RNG003", 10, 4),  # the three other layers and sample_z's randn
    ]
    # the fix seeds the entry point once
    assert {f.fix.message for f in got if f.fix} == {
        "add `seed_everything(0)` to gan.py at the start of its main flow (the program has no seed of its own"
        " that covers this draw: 0 is a choice, put yours)"
    }


def test_model_built_before_the_seed_line(tree) -> None:
    root = tree(
        {
            "train.py": """
                import torch
                import torch.nn as nn

                def main():
                    model = nn.Linear(4, 2)
                    torch.manual_seed(0)
                    print(model(torch.randn(3, 4)))

                if __name__ == "__main__":
                    main()
            """
        }
    )
    (finding,) = report(root).findings
    assert (finding.code, finding.span.line, finding.related) == ("RNG003", 5, ())
    assert "before train.py seeds it" in finding.message


def test_detectron2_style_default_seed_is_one_rng201(tree) -> None:
    root = tree(
        {
            "engine/__init__.py": "",
            "engine/defaults.py": """
                import numpy as np
                from detectron2.utils.env import seed_all_rng

                def default_setup(cfg, args):
                    seed = cfg.SEED
                    seed_all_rng(None if seed < 0 else seed)
            """,
            "engine/train_loop.py": """
                import random
                import numpy as np
                import torch

                def run_step(model, data):
                    idx = np.random.permutation(len(data))
                    if random.random() < 0.5:
                        data = data[::-1]
                    return model(torch.randn(2, 3)), idx
            """,
            "train_net.py": """
                from engine.defaults import default_setup
                from engine.train_loop import run_step

                def main(cfg, args):
                    default_setup(cfg, args)
                    for data in args.data:
                        run_step(args.model, data)

                if __name__ == "__main__":
                    main(None, None)
            """,
        }
    )
    assert labelled(root) == ["engine/defaults.py:6: RNG201"]


def test_project_helper_given_none_is_rng201_at_the_call_and_no_seed_fix(tree) -> None:
    root = tree(
        {
            "utils.py": """
                import random
                import numpy as np
                import torch

                def set_seed(seed):
                    random.seed(seed)
                    np.random.seed(seed)
                    torch.manual_seed(seed)
            """,
            "train.py": """
                import argparse
                import torch
                from utils import set_seed

                def main():
                    parser = argparse.ArgumentParser()
                    parser.add_argument("--seed", type=int)
                    args = parser.parse_args()
                    set_seed(args.seed)
                    print(torch.randn(2))

                if __name__ == "__main__":
                    main()
            """,
            "eval.py": """
                import torch
                from utils import set_seed

                if __name__ == "__main__":
                    set_seed(None)
                    print(torch.rand(1))
            """,
        }
    )
    got = report(root).findings
    assert [(f.path, f.span.line, f.code, f.fix) for f in got] == [
        ("eval.py", 5, "RNG201", None),
        ("train.py", 9, "RNG201", None),
    ]
    assert "`set_seed(args.seed)` passes `None` (the default of `--seed`)" in got[1].message
    assert "utils.py:6" in got[1].message


def test_seed_from_argparse_default_none(tree) -> None:
    root = tree(
        {
            "train.py": """
                import argparse
                import random

                parser = argparse.ArgumentParser()
                parser.add_argument("--seed", default=None)
                args = parser.parse_args()
                random.seed(args.seed)
                print(random.random())
            """
        }
    )
    assert labelled(root) == ["train.py:7: RNG201"]


def test_if_args_seed_with_default_zero_skips_the_seed(tree) -> None:
    root = tree(
        {
            "train.py": """
                import argparse
                import torch

                def main():
                    parser = argparse.ArgumentParser()
                    parser.add_argument("--seed", type=int, default=0)
                    args = parser.parse_args()
                    if args.seed:
                        torch.manual_seed(args.seed)
                    model = torch.nn.Linear(8, 8)
                    print(model(torch.ones(8)))

                if __name__ == "__main__":
                    main()
            """
        }
    )
    assert labelled(root) == ["train.py:10: RNG003"]


def test_optional_seed_under_is_not_none_counts_and_is_not_rng201(tree) -> None:
    root = tree(
        {
            "train.py": """
                import argparse
                import torch

                def main():
                    parser = argparse.ArgumentParser()
                    parser.add_argument("--seed", type=int, default=None)
                    args = parser.parse_args()
                    if args.seed is not None:
                        torch.manual_seed(args.seed)
                    print(torch.randn(3))

                if __name__ == "__main__":
                    main()
            """
        }
    )
    assert labelled(root) == []


# --- messages -------------------------------------------------------------------------------------


def test_draw_in_another_file_names_the_call_path(tree) -> None:
    root = tree(
        {
            "model.py": """
                import torch.nn as nn

                class Net(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.fc = nn.Linear(4, 2)
            """,
            "train.py": """
                import random
                from model import Net

                def main():
                    random.seed(0)
                    net = Net()
                    print(net)

                if __name__ == "__main__":
                    main()
            """,
        }
    )
    (finding,) = report(root).findings
    assert finding.message.startswith(
        "`nn.Linear(4, 2)` initialises model weights from torch's global generator "
        "(`train.py:6 Net()` → `model.py:6 nn.Linear(4, 2)`), which train.py never seeds"
    )


def test_json_and_sarif_carry_related_locations(tree, capsys) -> None:
    import json

    from seedlint.cli import main

    root = tree(
        {
            "s.py": """
                import random
                print(random.random())
                print(random.choice([1, 2]))
            """
        }
    )
    assert main([str(root / "s.py"), "--format", "json", "--no-cache"]) == 1
    (data,) = json.loads(capsys.readouterr().out)
    assert [(r["line"], r["column"]) for r in data["related"]] == [(3, 7)]
    assert set(data["related"][0]) == {"path", "line", "column", "end_line", "end_column"}
    assert main([str(root / "s.py"), "--format", "sarif", "--no-cache"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    (result,) = sarif["runs"][0]["results"]
    (loc,) = result["relatedLocations"]
    assert loc["physicalLocation"]["region"]["startLine"] == 3
    assert main([str(root / "s.py"), "--no-cache"]) == 1
    assert "(and 1 more draw: " in capsys.readouterr().out


def test_a_draw_shared_by_entry_points_is_related_to_each(tree) -> None:
    root = tree(
        {
            "aug.py": """
                import random

                def jitter(x):
                    return x + random.random()
            """,
            "train.py": """
                import random
                from aug import jitter

                if __name__ == "__main__":
                    print(random.choice([1, 2]), jitter(1.0))
            """,
            "evaluate.py": """
                import random
                from aug import jitter

                if __name__ == "__main__":
                    print(random.randint(0, 3), jitter(2.0))
            """,
        }
    )
    assert labelled(root) == [
        "evaluate.py:5: RNG001",
        "aug.py:4: RNG001 (related)",
        "train.py:5: RNG001",
        "aug.py:4: RNG001 (related)",
    ]


def test_lightning_style_hooks_run_when_the_module_is_handed_to_the_trainer(tree) -> None:
    root = tree(
        {
            "lit.py": """
                import lightning.pytorch as pl
                import numpy as np
                import torch

                class LitModel(pl.LightningModule):
                    def __init__(self):
                        super().__init__()
                        self.net = torch.nn.Linear(4, 1)

                    def training_step(self, batch, batch_idx):
                        x, y = batch
                        x = x + torch.from_numpy(np.random.normal(size=x.shape)).float()
                        return ((self.net(x) - y) ** 2).mean()

                    def configure_optimizers(self):
                        return torch.optim.SGD(self.parameters(), lr=0.1)

                    def export(self):
                        return torch.randn(3)

                if __name__ == "__main__":
                    pl.seed_everything(0)
                    model = LitModel()
                    pl.Trainer(max_epochs=1).fit(model, torch.load("loader.pt"))
            """
        }
    )
    # seed_everything seeds NumPy too: clean; without it, training_step's draw is reported
    assert labelled(root) == []
    unseeded = tree(
        {"lit.py": (root / "lit.py").read_text().replace("pl.seed_everything(0)", "pass")}
    )
    got = labelled(unseeded)
    assert got[0] == "lit.py:8: RNG003" and "lit.py:12: RNG002" in got


def test_fix_seeds_the_entry_point_once_for_a_group(tree) -> None:
    from seedlint.cli import main

    root = tree(
        {
            "train.py": """
                import random
                import numpy as np

                def main():
                    a = np.random.rand(3)
                    b = np.random.randn(2)
                    print(a, b, random.random())

                if __name__ == "__main__":
                    main()
            """
        }
    )
    assert (
        main([str(root / "train.py"), "--fix", "--unsafe-fixes", "--no-cache", "--isolated"]) == 0
    )
    text = (root / "train.py").read_text()
    assert text.count("seed_everything(0)") == 1
    assert labelled(root) == []


def test_code_handed_over_by_a_job_that_seeds_is_seeded(tree) -> None:
    root = tree(
        {
            "crop.py": """
                import torch

                class RandomCrop:
                    def __call__(self, img):
                        i = int(torch.randint(0, 4, (1,)))
                        return img[i:]
            """,
            "linprobe.py": """
                import torch
                from torchvision import transforms
                from crop import RandomCrop

                def main(args):
                    torch.manual_seed(args.seed)
                    transform = transforms.Compose([RandomCrop()])
                    for img in torch.load(args.data):
                        print(transform(img))
            """,
            "submit.py": """
                import submitit
                import linprobe

                class Job:
                    def __init__(self, args):
                        self.args = args

                    def __call__(self):
                        linprobe.main(self.args)

                if __name__ == "__main__":
                    executor = submitit.AutoExecutor(folder="logs")
                    executor.submit(Job(None))
            """,
        }
    )
    # the job runs later (in the executor), seeds torch, then hands the transform over
    assert labelled(root) == []


def test_models_built_on_the_meta_device_draw_nothing(tree) -> None:
    # diffusers' converters: `with init_empty_weights():` (accelerate) or `with
    # torch.device("meta"):` builds the model without memory, then loads with assign=True
    root = tree(
        {
            "model.py": MODEL,
            "convert.py": """
                import torch
                import torch.nn as nn
                from accelerate import init_empty_weights
                from model import TinyGPT


                def main():
                    with init_empty_weights():
                        a = TinyGPT()
                    with torch.device("meta"):
                        b = nn.Linear(3, 3)
                    head = nn.Linear(5, 5)
                    torch.save({"a": a, "b": b, "head": head}, "out.pt")


                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert labelled(root) == ["convert.py:12: RNG003"]  # only the head


def test_weights_loaded_after_to_and_through_a_project_override(tree) -> None:
    # diffusers' ModelMixin overrides `to()` (returning `self` or `super().to(...)`) and
    # converters load with `net = Net(**config).to(dtype); net.load_state_dict(sd)`
    root = tree(
        {
            "model.py": """
                import torch.nn as nn


                class Mixin(nn.Module):
                    def to(self, *args, **kwargs):
                        if getattr(self, "quantized", False):
                            return self
                        return super().to(*args, **kwargs)


                class Net(Mixin):
                    def __init__(self, hidden_size=4):
                        super().__init__()
                        self.fc = nn.Linear(hidden_size, 2)
            """,
            "convert.py": """
                import argparse
                import torch
                from model import Net


                def convert(path):
                    sd = torch.load(path)
                    config = {k: v for k, v in sd["config"].items() if not k.startswith("_")}
                    net = Net(**config).to(torch.bfloat16)
                    net.load_state_dict(sd["state"], strict=True)
                    head = torch.nn.Linear(2, 2).half()
                    torch.save(head.state_dict(), "head.pt")


                if __name__ == "__main__":
                    parser = argparse.ArgumentParser()
                    parser.add_argument("--path", required=True)
                    convert(parser.parse_args().path)
            """,
        }
    )
    # `head` is built and saved without a load: the one finding
    assert labelled(root) == ["convert.py:11: RNG003"]


def test_weights_loaded_through_a_project_load_state_dict(tree) -> None:
    root = tree(
        {
            "model.py": """
                import torch.nn as nn


                class Net(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.fc = nn.Linear(4, 2)

                    def load_state_dict(self, state, strict=True):
                        state = {k.replace("module.", ""): v for k, v in state.items()}
                        return super().load_state_dict(state, strict=strict)
            """,
            "convert.py": """
                import torch
                from model import Net


                if __name__ == "__main__":
                    net = Net().cuda()
                    net.load_state_dict(torch.load("ckpt.pt"))
                    torch.save(net.state_dict(), "out.pt")
            """,
        }
    )
    assert labelled(root) == []
