"""Python mechanisms the analysis follows (issue "recall on bugs confirmed by running the
program"): nested functions and lambdas, callbacks called through lists, ``functools.partial``,
registries, seeds hashed from strings or returned by helpers, stochastic modules.

Each program is a realistic training script with exactly one reproducibility bug (each was
confirmed by running it twice) next to its fixed variant, which must be clean.
"""

from __future__ import annotations

import os
from pathlib import Path

from seedlint.config import Settings
from seedlint.engine.runner import lint_paths

CODES = ("RNG001", "RNG002", "RNG003", "RNG101", "RNG102", "RNG103", "RNG201", "RNG202")


def lint(root: Path):
    here = os.getcwd()
    os.chdir(root)
    try:
        report = lint_paths(["."], Settings(root=str(root)), codes=CODES)
    finally:
        os.chdir(here)
    assert not report.errors, report.errors
    return report.findings


def labels(root: Path) -> list[str]:
    out = []
    for f in lint(root):
        out.append(f"{f.path}:{f.span.line}: {f.code}")
        out += [f"{r.path}:{r.span.line}: {f.code} (related)" for r in f.related]
    return out


TRAINER = """
    class Trainer:
        def __init__(self, model, optimizer, callbacks=None):
            self.model = model
            self.optimizer = optimizer
            self.callbacks = list(callbacks or [])

        def fit(self, batches, epochs):
            for epoch in range(epochs):
                for x, y in batches:
                    loss = ((self.model(x) - y) ** 2).mean()
                    self.optimizer.zero_grad()
                    loss.backward()
                    self.optimizer.step()
                for cb in self.callbacks:
                    cb(self, epoch)
"""

CALLBACKS = """
    import random


    def make_lr_shaker(p, factor):
        def on_epoch_end(trainer, epoch):
            if random.random() < p:
                scale = factor + (1.0 - factor) * random.random()
                for group in trainer.optimizer.param_groups:
                    group["lr"] *= scale

        return on_epoch_end


    def log_epoch(trainer, epoch):
        print(epoch, trainer.optimizer.param_groups[0]["lr"])
"""

TRAIN_WITH_CALLBACKS = """
    import numpy as np
    import torch

    from callbacks import log_epoch, make_lr_shaker
    from trainer import Trainer


    def main():
        torch.manual_seed(0)
        np.random.seed(0)
        model = torch.nn.Linear(4, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        trainer = Trainer(model, opt, callbacks=[make_lr_shaker(0.3, 0.5), log_epoch])
        trainer.fit([(torch.randn(8, 4), torch.randn(8, 1))], epochs=8)


    if __name__ == "__main__":
        main()
"""


def test_nested_callback_called_through_a_list(tree) -> None:
    root = tree(
        {"trainer.py": TRAINER, "callbacks.py": CALLBACKS, "train.py": TRAIN_WITH_CALLBACKS}
    )
    (finding,) = lint(root)
    assert (finding.path, finding.span.line, finding.code) == ("callbacks.py", 6, "RNG001")
    assert [(r.path, r.span.line) for r in finding.related] == [("callbacks.py", 7)]
    # the message names the path, as written
    assert (
        "(`train.py:14 trainer.fit([…], epochs=8)` → `trainer.py:15 cb(self, epoch)` → "
        "`callbacks.py:6 random.random()`)"
    ) in finding.message
    fixed = tree(
        {
            "train.py": TRAIN_WITH_CALLBACKS.replace(
                "np.random.seed(0)", "np.random.seed(0)\n        import random; random.seed(0)"
            )
        }
    )
    assert labels(fixed) == []


def test_top_level_callback_and_lambda(tree) -> None:
    root = tree(
        {
            "trainer.py": TRAINER,
            "train.py": """
                import numpy as np
                import torch

                from trainer import Trainer


                def jitter_lr(trainer, epoch):
                    for group in trainer.optimizer.param_groups:
                        group["lr"] *= 1 + 0.1 * np.random.randn()


                def main():
                    torch.manual_seed(0)
                    model = torch.nn.Linear(4, 1)
                    opt = torch.optim.SGD(model.parameters(), lr=0.05)
                    hooks = [jitter_lr, lambda t, e: print(e, np.random.rand())]
                    Trainer(model, opt, callbacks=hooks).fit([], epochs=3)


                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert labels(root) == ["train.py:9: RNG002", "train.py:16: RNG002 (related)"]


def test_nested_function_called_directly(tree) -> None:
    root = tree(
        {
            "augment.py": """
                import random

                def make_augment(p):
                    def flip(x):
                        return x[::-1] if random.random() < p else x
                    return [flip(item) for item in ["ab", "cd"]]

                if __name__ == "__main__":
                    print(make_augment(0.5))
            """
        }
    )
    assert labels(root) == ["augment.py:5: RNG001"]


def test_partial_of_a_draw_is_a_draw_where_it_is_called(tree) -> None:
    program = """
        import functools
        import numpy as np
        import torch


        def noisy_batches(x, noise_fn):
            for i in range(0, len(x), 16):
                yield x[i : i + 16] + torch.from_numpy(noise_fn(size=(16, 4))).float()


        def main():
            torch.manual_seed(0)
            {seed}
            corrupt = functools.partial(np.random.normal, 0.0, 0.1)
            x = torch.zeros(64, 4)
            for batch in noisy_batches(x, corrupt):
                print(batch.sum())


        if __name__ == "__main__":
            main()
    """
    root = tree({"train.py": program.replace("{seed}", "pass")})
    (finding,) = lint(root)
    assert (finding.code, finding.span.line) == ("RNG002", 8)
    assert "`noise_fn(size=(…))` draws from NumPy's global RNG" in finding.message
    fixed = tree({"train.py": program.replace("{seed}", "np.random.seed(0)")})
    assert labels(fixed) == []


REGISTRY = """
    import numpy as np
    import torch
    import torch.nn as nn


    def init_zeros(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)


    def init_gaussian(m):
        if isinstance(m, nn.Linear):
            with torch.no_grad():
                m.weight.copy_(torch.from_numpy(np.random.normal(0, 0.05, tuple(m.weight.shape))))


    INITIALIZERS = {"zeros": init_zeros, "gaussian": init_gaussian}
"""

TRAIN_REGISTRY = """
    import argparse
    import torch
    import torch.nn as nn

    from inits import INITIALIZERS


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--init", choices=sorted(INITIALIZERS), default="{init}")
        args = parser.parse_args()
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
        model.apply(INITIALIZERS[args.init])
        print(model(torch.ones(1, 8)))


    if __name__ == "__main__":
        main()
"""


def test_registry_member_selected_by_a_known_key(tree) -> None:
    root = tree({"inits.py": REGISTRY, "train.py": TRAIN_REGISTRY.replace("{init}", "gaussian")})
    assert labels(root) == ["inits.py:14: RNG002"]
    (finding,) = lint(root)
    assert "`train.py:14 model.apply(INITIALIZERS[…])`" in finding.message
    # the default selects the deterministic initialiser: nothing runs that draws from NumPy
    zeros = tree({"train.py": TRAIN_REGISTRY.replace("{init}", "zeros")})
    assert labels(zeros) == []


def test_registry_with_an_unknown_key_reaches_every_member(tree) -> None:
    root = tree(
        {
            "inits.py": REGISTRY,
            "train.py": """
                import sys
                import torch
                from inits import INITIALIZERS

                if __name__ == "__main__":
                    torch.manual_seed(0)
                    model = torch.nn.Linear(8, 1)
                    model.apply(INITIALIZERS[sys.argv[1]])
            """,
        }
    )
    assert labels(root) == ["inits.py:14: RNG002"]


def test_seed_hashed_from_an_experiment_name(tree) -> None:
    root = tree(
        {
            "config.py": """
                def seed_from_config(name: str) -> int:
                    return hash(name) % 2**32
            """,
            "train.py": """
                import argparse
                import torch
                from config import seed_from_config

                def main():
                    parser = argparse.ArgumentParser()
                    parser.add_argument("--exp-name", default="baseline")
                    args = parser.parse_args()
                    torch.manual_seed(seed_from_config(args.exp_name))
                    print(torch.nn.Linear(4, 2)(torch.randn(3, 4)))

                if __name__ == "__main__":
                    main()
            """,
            "sweep.py": """
                import argparse
                import numpy as np

                def main():
                    parser = argparse.ArgumentParser()
                    parser.add_argument("--trial")
                    args = parser.parse_args()
                    np.random.seed(hash(args.trial) % 1000)
                    print(np.random.rand())

                if __name__ == "__main__":
                    main()
            """,
        }
    )
    got = lint(root)
    assert [(f.path, f.span.line, f.code) for f in got] == [
        ("sweep.py", 8, "RNG201"),
        ("train.py", 9, "RNG201"),
    ]
    assert "hash() of a string (salted per process)" in got[1].message


def test_clock_seed_returned_by_a_helper(tree) -> None:
    root = tree(
        {
            "utils.py": """
                import random
                import time
                import numpy as np
                import torch

                def make_seed():
                    return int(time.time() * 1000) % 2**31

                def set_seed(seed):
                    random.seed(seed)
                    np.random.seed(seed)
                    torch.manual_seed(seed)
            """,
            "train.py": """
                import torch
                from utils import make_seed, set_seed

                def main():
                    seed = make_seed()
                    set_seed(seed)
                    print(torch.randn(3))

                if __name__ == "__main__":
                    main()
            """,
        }
    )
    (finding,) = lint(root)
    assert (finding.path, finding.span.line, finding.code) == ("train.py", 6, "RNG201")
    assert "`set_seed(seed)` passes a seed from the clock on to `random.seed`" in finding.message


FINETUNE = """
    import torch
    import torch.nn as nn


    class Classifier(nn.Module):
        def __init__(self, d=16, p=0.2):
            super().__init__()
            self.body = nn.Linear(d, 32)
            self.drop = nn.Dropout(p)
            self.head = nn.Linear(32, 2)

        def forward(self, x):
            return self.head(self.drop(torch.relu(self.body(x))))


    def main():
        {seed}
        model = Classifier()
        model.load_state_dict(torch.load("pretrained.pt"))
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        model.train()
        for x, y in torch.load("data.pt"):
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()


    if __name__ == "__main__":
        main()
"""


def test_finetuning_with_dropout_after_loading_weights(tree) -> None:
    root = tree({"finetune.py": FINETUNE.replace("{seed}", "pass")})
    # construction is overwritten by the loaded weights; dropout still draws in training mode
    (finding,) = lint(root)
    assert (finding.path, finding.span.line, finding.code) == ("finetune.py", 9, "RNG003")
    assert "`nn.Dropout(p)` draws from torch's global generator whenever the model" in (
        finding.message
    )
    fixed = tree({"finetune.py": FINETUNE.replace("{seed}", "torch.manual_seed(0)")})
    assert labels(fixed) == []


def test_no_grad_does_not_switch_dropout_off_but_eval_does(tree) -> None:
    evaluate = """
        import torch
        import torch.nn as nn

        def main():
            model = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.5), nn.Linear(8, 2))
            model.load_state_dict(torch.load("model.pt"))
            {mode}
            with torch.no_grad():
                print(model(torch.ones(4, 8)).argmax(1))

        if __name__ == "__main__":
            main()
    """
    no_grad_only = tree({"evaluate.py": evaluate.replace("{mode}", "pass")})
    assert labels(no_grad_only) == ["evaluate.py:5: RNG003"]
    in_eval = tree({"evaluate.py": evaluate.replace("{mode}", "model.eval()")})
    assert labels(in_eval) == []


def test_helper_that_seeds_everything_but_torch(tree) -> None:
    root = tree(
        {
            "utils.py": """
                import random
                import numpy as np

                def seed_everything(seed):
                    random.seed(seed)
                    np.random.seed(seed)
            """,
            "model.py": """
                import torch.nn as nn

                class MLP(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.net = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.1), nn.Linear(16, 2))

                    def forward(self, x):
                        return self.net(x)
            """,
            "train.py": """
                import torch
                from model import MLP
                from utils import seed_everything

                def main():
                    seed_everything(0)
                    model = MLP()
                    for _ in range(3):
                        model(torch.ones(2, 4)).sum().backward()

                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert labels(root) == [
        "model.py:6: RNG003",
        "model.py:6: RNG003 (related)",
        "model.py:6: RNG003 (related)",
    ]


def test_decorator_registries(tree) -> None:
    root = tree(
        {
            "zoo/__init__.py": "from .registry import create_model\nfrom . import resnet\n",
            "zoo/registry.py": """
                _model_entrypoints = {}

                def register_model(fn):
                    _model_entrypoints[fn.__name__] = fn
                    return fn

                def create_model(name, **kwargs):
                    return _model_entrypoints[name](**kwargs)
            """,
            "zoo/resnet.py": """
                import torch.nn as nn
                from .registry import register_model

                @register_model
                def resnet18(num_classes=10):
                    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.LazyLinear(num_classes))
            """,
            "heads.py": """
                import random

                class Registry:
                    def __init__(self):
                        self._module_dict = {}

                    def register_module(self):
                        def _register(cls):
                            self._module_dict[cls.__name__] = cls
                            return cls
                        return _register

                    def build(self, cfg):
                        return self._module_dict[cfg["type"]](cfg.get("p", 0.5))

                HEADS = Registry()

                @HEADS.register_module()
                class RandomHead:
                    def __init__(self, p):
                        self.flip = random.random() < p
            """,
            "train.py": """
                import zoo
                from heads import HEADS

                if __name__ == "__main__":
                    model = zoo.create_model("resnet18", num_classes=5)
                    head = HEADS.build({"type": "RandomHead"})
                    print(model, head.flip)
            """,
        }
    )
    got = lint(root)
    assert sorted((f.path, f.span.line, f.code) for f in got) == [
        ("heads.py", 21, "RNG001"),
        ("zoo/resnet.py", 6, "RNG003"),
    ]


def test_a_spawned_process_sees_the_seeds_of_the_scripts_top_level(tree) -> None:
    # pytorch/examples distributed/rpc/rl: `torch.manual_seed(args.seed)` at the top level,
    # workers started with `mp.spawn` import the script again and run that line
    script = """
        import argparse
        import torch
        import torch.multiprocessing as mp

        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=543)
        args = parser.parse_args()
        SEED_LINE

        def run_worker(rank):
            policy = torch.nn.Linear(4, 2)
            print(policy(torch.ones(4)))

        if __name__ == "__main__":
            GUARD_LINE
            mp.spawn(run_worker, nprocs=2)
    """
    seeded = tree(
        {
            "top/main.py": script.replace("SEED_LINE", "torch.manual_seed(args.seed)").replace(
                "GUARD_LINE", "pass"
            ),
            "guard/main.py": script.replace("SEED_LINE", "").replace(
                "GUARD_LINE", "torch.manual_seed(args.seed)"
            ),
        }
    )
    from tests.test_reach import labelled

    assert labelled(seeded / "top") == []
    # a seed inside the guard does not run in the spawned processes
    assert labelled(seeded / "guard") == ["main.py:11: RNG003"]
