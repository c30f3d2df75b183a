"""The whole-program analysis on multi-file projects: entry points, import-time execution,
call order, seeders, library code, module naming (packages, namespace packages, src/ layouts,
relative imports) and scope-aware name resolution."""

from __future__ import annotations

from pathlib import Path

from seedlint.config import Settings
from seedlint.engine.runner import lint_paths


def findings(root: Path, scope: str = "project", **settings: object) -> list[str]:
    report = lint_paths([str(root)], Settings(root=str(root), scope=scope, **settings))  # type: ignore[arg-type]
    assert not report.errors, report.errors
    return [
        f"{Path(f.path).relative_to(root).as_posix()}:{f.span.line}: {f.code}"
        for f in report.findings
    ]


def labelled(root: Path, scope: str = "project", **settings: object) -> list[str]:
    """Findings, and the related locations of each (``… (related)``), in report order."""
    report = lint_paths([str(root)], Settings(root=str(root), scope=scope, **settings))  # type: ignore[arg-type]
    assert not report.errors, report.errors
    out = []
    for f in report.findings:
        out.append(f"{Path(f.path).relative_to(root).as_posix()}:{f.span.line}: {f.code}")
        out += [
            f"{Path(loc.path).relative_to(root).as_posix()}:{loc.span.line}: {f.code} (related)"
            for loc in f.related
        ]
    return out


def test_top_level_draw_in_imported_module_runs_before_main_seed(tree) -> None:
    root = tree(
        {
            "data.py": """
                import numpy as np
                MEAN = np.random.rand(3)
                def jitter(x):
                    return x + np.random.randn()
            """,
            "train.py": """
                import numpy as np
                from data import jitter
                def main():
                    np.random.seed(0)
                    print(jitter(1.0))
                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert findings(root) == ["data.py:2: RNG002"]


def test_helper_seeding_before_train_is_seen_through_calls(tree) -> None:
    root = tree(
        {
            "utils/__init__.py": "from .seed import set_all_seeds\n",
            "utils/seed.py": """
                import random, numpy as np, torch
                def set_all_seeds(seed):
                    random.seed(seed)
                    np.random.seed(seed)
                    torch.manual_seed(seed)
            """,
            "engine.py": """
                import random, torch
                def train():
                    idx = torch.randperm(10)
                    random.shuffle(list(idx))
            """,
            "main.py": """
                import utils
                from engine import train
                def main():
                    utils.set_all_seeds(42)
                    train()
                main()
            """,
        }
    )
    assert findings(root) == []


def test_train_before_seed_is_reported_with_the_entry_point(tree) -> None:
    root = tree(
        {
            "engine.py": """
                import torch
                def train():
                    return torch.randn(3)
            """,
            "run.py": """
                import torch
                from engine import train
                def main():
                    train()
                    torch.manual_seed(0)
                if __name__ == "__main__":
                    main()
            """,
        }
    )
    report = lint_paths([str(root)], Settings(root=str(root)))
    (f,) = report.findings
    assert (Path(f.path).name, f.span.line, f.code) == ("engine.py", 3, "RNG003")
    assert "run.py" in f.message and "before" in f.message
    assert f.entry_point is not None and f.entry_point.endswith("run.py")


def test_conditional_seed_counts(tree) -> None:
    root = tree(
        {
            "train.py": """
                import argparse, torch
                p = argparse.ArgumentParser()
                p.add_argument("--seed", type=int)
                args = p.parse_args()
                if args.seed is not None:
                    torch.manual_seed(args.seed)
                w = torch.randn(4)
            """
        }
    )
    assert findings(root) == []


def test_library_modules_are_silent(tree) -> None:
    root = tree(
        {
            "lib/aug.py": """
                import random
                def flip(img):
                    return img[::-1] if random.random() < 0.5 else img
                NOISE = random.random()
            """
        }
    )
    assert findings(root) == []


def test_unreached_code_is_not_reported(tree) -> None:
    root = tree(
        {
            "model.py": """
                import torch
                class Net:
                    def forward(self, x):
                        return x + torch.rand(1)
                def test():
                    print(torch.randn(2))
            """,
            "demo.py": """
                import model
                print("no model built here")
            """,
        }
    )
    assert findings(root) == []


def test_invisible_paths_run_after_the_seed_or_are_reported_when_never_seeded(tree) -> None:
    files = {
        "model.py": """
            import torch
            import torch.nn.functional as F
            class Net(torch.nn.Module):
                def forward(self, x):
                    return F.dropout(x, 0.5)
        """,
        "train.py": """
            import torch
            from model import Net
            def main():
                SEED
                net = Net()
                net(torch.ones(2))
            if __name__ == "__main__":
                main()
        """,
    }
    seeded = tree({**files, "train.py": files["train.py"].replace("SEED", "torch.manual_seed(0)")})
    assert findings(seeded) == []


def test_invisible_path_never_seeded(tree) -> None:
    root = tree(
        {
            "model.py": """
                import torch.nn.functional as F
                class Net:
                    def forward(self, x):
                        return F.dropout(x, 0.5)
            """,
            "train.py": """
                from model import Net
                def main():
                    net = Net()
                    net.forward(1)
                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert findings(root) == ["model.py:4: RNG003"]


def test_relative_imports_and_src_layout(tree) -> None:
    root = tree(
        {
            "src/proj/__init__.py": "",
            "src/proj/seeding.py": """
                import numpy as np
                def seed_all(s):
                    np.random.seed(s)
            """,
            "src/proj/data.py": """
                import numpy as np
                def sample():
                    return np.random.choice(10)
            """,
            "src/proj/cli.py": """
                from .seeding import seed_all
                from . import data
                def main():
                    seed_all(0)
                    data.sample()
                if __name__ == "__main__":
                    main()
            """,
            "scripts/bad.py": """
                from proj.data import sample
                print(sample())
            """,
        }
    )
    assert findings(root) == ["src/proj/data.py:3: RNG002"]


def test_namespace_package_without_init(tree) -> None:
    root = tree(
        {
            "pkg/sub/noise.py": """
                import torch
                EPS = torch.rand(1)
            """,
            "run.py": """
                import torch
                import pkg.sub.noise
                torch.manual_seed(0)
                print(pkg.sub.noise.EPS)
            """,
        }
    )
    assert findings(root) == ["pkg/sub/noise.py:2: RNG003"]


def test_dunder_main_and_entry_points_setting(tree) -> None:
    root = tree(
        {
            "tool/__main__.py": """
                import random
                def go():
                    return random.random()
                go()
            """,
            "jobs/job.py": """
                import random
                def run():
                    return random.random()
            """,
        }
    )
    assert findings(root) == ["tool/__main__.py:3: RNG001"]
    assert findings(root, entry_points=("jobs/*.py",)) == [
        "jobs/job.py:3: RNG001",
        "tool/__main__.py:3: RNG001",
    ]


def test_seed_functions_setting_seeds_every_library(tree) -> None:
    root = tree(
        {
            "train.py": """
                import numpy as np
                from labtools import reseed
                reseed(3)
                print(np.random.rand())
            """
        }
    )
    report = lint_paths([str(root)], Settings(root=str(root)))
    (finding,) = report.findings
    assert finding.code == "RNG002"
    assert (
        "if `labtools.reseed` seeds NumPy's global RNG, list it in `seed-functions`"
        in finding.message
    )
    assert findings(root, seed_functions=frozenset({"labtools.reseed"})) == []


def test_shadowing_is_not_the_module(tree) -> None:
    root = tree(
        {
            "script.py": """
                import random
                import numpy as np
                from mylib import Generator

                def pick(items, random):
                    return random.choice(items)

                def local():
                    np = make_array_lib()
                    return np.random.rand()

                class Box:
                    random = 3
                    def draw(self):
                        return self.random.random()

                g = Generator()
                g.seed()
                print(pick([1], random.Random(0)), local(), Box().draw())
            """
        }
    )
    assert findings(root) == []


def test_aliases_resolve(tree) -> None:
    root = tree(
        {
            "script.py": """
                import numpy.random as npr
                from torch import randn as r
                import torch.nn.init as init
                try:
                    import numpy as np
                except ImportError:
                    np = None
                w = r(3)
                init.kaiming_normal_(w)
                w.data.uniform_(-1, 1)
                print(npr.rand(), np.random.randint(3))
            """
        }
    )
    assert labelled(root) == [
        "script.py:8: RNG003",
        "script.py:9: RNG003 (related)",
        "script.py:10: RNG003 (related)",
        "script.py:11: RNG002",
        "script.py:11: RNG002 (related)",
    ]


def test_file_scope_treats_each_file_alone(tree) -> None:
    root = tree(
        {
            "data.py": """
                import numpy as np
                MEAN = np.random.rand(3)
            """,
            "train.py": """
                import numpy as np
                import data
                def main():
                    np.random.seed(0)
                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert findings(root) == ["data.py:2: RNG002"]
    assert findings(root, scope="file") == []


def test_syntax_error_file_does_not_stop_the_run(tree) -> None:
    root = tree(
        {
            "broken.py": "def f(:\n    pass\n",
            "ok.py": "import random\nprint(random.random())\n",
        }
    )
    assert findings(root) == ["broken.py:1: RNG999", "ok.py:2: RNG001"]


def test_project_seeder_called_by_method_name(tree) -> None:
    root = tree(
        {
            "trainer.py": """
                import torch
                class Trainer:
                    def setup_seed(self, seed):
                        torch.manual_seed(seed)
                    def fit(self):
                        return torch.randn(2)
            """,
            "main.py": """
                from trainer import Trainer
                def build():
                    return Trainer()
                if __name__ == "__main__":
                    t = build()
                    t.setup_seed(1)
                    t.fit()
            """,
        }
    )
    assert findings(root) == []


def test_distribution_samples_are_torch_draws(tree) -> None:
    root = tree(
        {
            "rl.py": """
                import torch
                from torch.distributions import Categorical
                logits = torch.zeros(4)
                dist = Categorical(logits=logits)
                action = dist.sample()
                noise = torch.distributions.Normal(0.0, 1.0).rsample((3,))
                print(action, noise)
            """
        }
    )
    assert labelled(root) == ["rl.py:5: RNG003", "rl.py:6: RNG003 (related)"]


def test_deep_call_chains_do_not_crash(tree) -> None:
    n = 600
    body = "\n".join(f"def f{i}():\n    return f{i + 1}()\n" for i in range(n))
    root = tree(
        {"deep.py": f"import random\n{body}\ndef f{n}():\n    return random.random()\nf0()\n"}
    )
    report = lint_paths([str(root)], Settings(root=str(root)))
    assert not report.errors


def test_fabric_seed_everything_on_an_instance_seeds(tree) -> None:
    root = tree(
        {
            "train.py": """
                import torch
                from lightning.fabric import Fabric

                def main():
                    fabric = Fabric(accelerator="cpu")
                    fabric.seed_everything(42)
                    print(torch.randn(2))

                if __name__ == "__main__":
                    main()
            """
        }
    )
    assert findings(root) == []


def test_internal_error_in_program_analysis_keeps_other_results(tree, monkeypatch) -> None:
    from seedlint.engine import program

    root = tree({"a.py": "import numpy as np\nrng = np.random.default_rng()\nprint(1)\n"})

    def boom(self):  # an engine bug in the whole-program phase
        raise RuntimeError("boom")

    monkeypatch.setattr(program.Program, "runs", boom)
    report = lint_paths([str(root)], Settings(root=str(root)))
    assert [f.code for f in report.findings] == ["RNG101"]
    assert report.errors and "boom" in report.errors[0].message


def test_names_reexported_through_star_imports(tree) -> None:
    root = tree(
        {
            "aug/__init__.py": "from .impl import *\n",
            "aug/impl.py": """
                import random
                def flip(x):
                    return x[::-1] if random.random() < 0.5 else x
            """,
            "train.py": """
                from aug import flip
                if __name__ == "__main__":
                    print(flip([1, 2]))
            """,
        }
    )
    assert findings(root) == ["aug/impl.py:3: RNG001"]


def test_deep_class_construction_chains_do_not_crash(tree) -> None:
    n = 300
    classes = "\n".join(
        f"class C{i}:\n    def __init__(self):\n        self.x = C{i + 1}()\n" for i in range(n)
    )
    src = f"import random\n{classes}\nclass C{n}:\n    pass\nC0()\n"
    root = tree({"deep.py": src})
    report = lint_paths([str(root)], Settings(root=str(root)))
    assert not report.errors


def test_branches_on_parameters_known_false_are_not_followed(tree) -> None:
    root = tree(
        {
            "lib.py": """
                import random

                def train_transform(x):
                    return x[::-1] if random.random() < 0.5 else x

                def create_loader(data, is_training=False, augment=None):
                    if is_training:
                        data = [train_transform(d) for d in data]
                    if not augment:
                        return data
                    return [random.choice(data)]
            """,
            "infer.py": """
                from lib import create_loader
                if __name__ == "__main__":
                    print(create_loader([[1, 2]]))
            """,
            "train.py": """
                from lib import create_loader
                def main(flag):
                    return create_loader([[1, 2]], is_training=flag, augment=True)
                if __name__ == "__main__":
                    print(main(True))
            """,
        }
    )
    assert labelled(root) == ["lib.py:4: RNG001", "lib.py:11: RNG001 (related)"]
    report = lint_paths([str(root)], Settings(root=str(root)))
    assert {Path(f.entry_point or "").name for f in report.findings} == {"train.py"}


def test_value_conditions_and_conditional_arguments(tree) -> None:
    root = tree(
        {
            "lib.py": """
                import random

                class Erase:
                    def __call__(self, x):
                        return x if random.random() > 0.5 else 0

                class Prefetch:
                    def __init__(self, re_prob=0.0, mode="center"):
                        if re_prob > 0.0:
                            self.erase = Erase()
                            self.sample = self.erase(1)
                        if mode == "random" or mode is None:
                            self.offset = random.randint(0, 3)

                def loader(is_training=False, re_prob=0.25):
                    return Prefetch(re_prob=re_prob if is_training else 0.0, mode="center")
            """,
            "infer.py": """
                from lib import loader
                if __name__ == "__main__":
                    print(loader())
            """,
            "train.py": """
                from lib import Prefetch
                if __name__ == "__main__":
                    print(Prefetch(0.5, mode=None))
            """,
        }
    )
    report = lint_paths([str(root)], Settings(root=str(root)))
    got = [
        (Path(f.path).name, f.span.line, Path(f.entry_point or "").name) for f in report.findings
    ]
    assert got == [("lib.py", 5, "train.py")]
    assert [loc.span.line for loc in report.findings[0].related] == [13]


def test_message_names_an_entry_point_that_calls_the_draw(tree) -> None:
    root = tree(
        {
            "lib.py": """
                import random
                def jitter(x):
                    return x + random.random()
            """,
            "a_register.py": """
                from lib import jitter
                HOOKS = []
                def register(fn):
                    HOOKS.append(fn)
                if __name__ == "__main__":
                    register(jitter)
            """,
            "b_train.py": """
                from lib import jitter
                if __name__ == "__main__":
                    print(jitter(1.0))
            """,
        }
    )
    report = lint_paths([str(root)], Settings(root=str(root)))
    (finding,) = report.findings
    assert finding.entry_point is not None and finding.entry_point.endswith("b_train.py")


def test_config_mappings_keep_defaults_but_forwarded_kwargs_do_not(tree) -> None:
    root = tree(
        {
            "lib.py": """
                import random

                def create_loader(data, batch_size=1, is_training=False):
                    if is_training:
                        random.shuffle(data)
                    return data
            """,
            "infer.py": """
                from lib import create_loader
                if __name__ == "__main__":
                    config = {"batch_size": 8}
                    print(create_loader([1, 2], **config))
            """,
            "wrap.py": """
                from lib import create_loader
                def make(data, **kwargs):
                    return create_loader(data, **kwargs)
                if __name__ == "__main__":
                    print(make([1, 2], is_training=True))
            """,
        }
    )
    report = lint_paths([str(root)], Settings(root=str(root)))
    got = [
        (Path(f.path).name, f.span.line, Path(f.entry_point or "").name) for f in report.findings
    ]
    assert got == [("lib.py", 5, "wrap.py")]


def test_local_flags_and_reassigned_parameters(tree) -> None:
    root = tree(
        {
            "lib.py": """
                import random

                def prefetch(re_prob=0.0):
                    if re_prob > 0.0:
                        return random.random()
                    return 0.0

                def loader(is_training=False, re_prob=0.5):
                    p = re_prob if is_training else 0.0
                    return prefetch(re_prob=p)

                def overridden(flag=False):
                    flag = not flag
                    if flag:
                        return random.random()
            """,
            "infer.py": """
                from lib import loader, overridden
                if __name__ == "__main__":
                    print(loader(), overridden())
            """,
        }
    )
    assert findings(root) == ["lib.py:15: RNG001"]


def test_functional_dropout_outside_training_is_not_a_draw(tree) -> None:
    root = tree(
        {
            "eval.py": """
                import torch
                import torch.nn.functional as F
                x = torch.ones(3)
                a = F.dropout(x, 0.1, training=False)
                b = F.rrelu(x)
                c = F.dropout(x, 0.1, False)
                d = F.dropout(x, 0.1)
                e = F.alpha_dropout(x, 0.1, True)
                print(a, b, c, d, e)
            """
        }
    )
    assert labelled(root) == ["eval.py:7: RNG003", "eval.py:8: RNG003 (related)"]


def test_linting_a_package_folder_resolves_its_absolute_imports(tree) -> None:
    root = tree(
        {
            "mypkg/__init__.py": "",
            "mypkg/utils.py": """
                import torch
                def set_seed(s):
                    torch.manual_seed(s)
            """,
            "mypkg/train.py": """
                import torch
                from mypkg.utils import set_seed
                if __name__ == "__main__":
                    set_seed(0)
                    print(torch.rand(3))
            """,
        }
    )
    report = lint_paths([str(root / "mypkg")], Settings(root=str(root)))
    assert report.findings == []


def test_type_checking_imports_do_not_run(tree) -> None:
    root = tree(
        {
            "heavy.py": "import numpy as np\nNOISE = np.random.rand(3)\n",
            "main.py": """
                from typing import TYPE_CHECKING
                import numpy as np
                if TYPE_CHECKING:
                    import heavy
                def main():
                    np.random.seed(0)
                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert findings(root) == []


def test_module_level_rebinding_hides_the_module_but_fallbacks_do_not(tree) -> None:
    root = tree(
        {
            "a.py": """
                import random
                random = random.Random(0)
                def main():
                    return random.random()
                if __name__ == "__main__":
                    main()
            """,
            "b.py": """
                try:
                    import numpy as np
                except ImportError:
                    np = None
                if __name__ == "__main__":
                    print(np.random.rand())
            """,
        }
    )
    assert findings(root) == ["b.py:6: RNG002"]


def test_bare_decorators_run_at_definition_time(tree) -> None:
    root = tree(
        {
            "lib.py": """
                import numpy as np
                def register(fn):
                    fn.tag = np.random.rand()
                    return fn
                @register
                def work():
                    return 1
            """,
            "main.py": """
                import numpy as np
                import lib
                def main():
                    np.random.seed(0)
                    lib.work()
                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert findings(root) == ["lib.py:3: RNG002"]


def test_generator_none_is_the_default_generator(tree) -> None:
    root = tree({"s.py": "import torch\nprint(torch.rand(3, generator=None))\n"})
    assert findings(root) == ["s.py:2: RNG003"]


def test_a_seed_that_changes_every_run_is_one_cause(tree) -> None:
    root = tree(
        {
            "train.py": """
                import time
                import torch
                def main():
                    torch.manual_seed(int(time.time()))
                    print(torch.randn(2))
                if __name__ == "__main__":
                    main()
            """
        }
    )
    report = lint_paths([str(root)], Settings(root=str(root)))
    codes = [(f.code, f.span.line) for f in report.findings]
    # DESIGN, "one cause, one finding": the RNG201; the draws after it count as seeded
    assert codes == [("RNG201", 4)]


def test_seed_parameter_left_none_is_reported_at_the_call(tree) -> None:
    root = tree(
        {
            "train.py": """
                import random
                def setup(seed=None):
                    random.seed(seed)
                def main():
                    setup()
                    print(random.random())
                    setup(3)
                    print(random.random())
                if __name__ == "__main__":
                    main()
            """
        }
    )
    report = lint_paths([str(root)], Settings(root=str(root)))
    # The helper is right for its other callers: the RNG201 is at ``setup()``, which leaves the
    # seed ``None``; the draws after it are covered by that one cause.
    assert [(f.code, f.span.line) for f in report.findings] == [("RNG201", 5)]
    assert "`setup()` passes `None` on to `random.seed`" in report.findings[0].message


def test_aliases_made_by_assignment(tree) -> None:
    root = tree(
        {
            "run.py": """
                import random
                import torch

                def draw():
                    return torch.rand(1)

                def main():
                    r = random
                    cb = draw
                    cb()
                    torch.manual_seed(0)
                    print(r.random())

                if __name__ == "__main__":
                    main()
            """
        }
    )
    assert findings(root) == ["run.py:5: RNG003", "run.py:12: RNG001"]


def test_draw_just_before_an_imported_modules_guard_runs_at_import(tree) -> None:
    """Regression: the guard's first order was taken before its body, so the last event
    before ``if __name__ == "__main__":`` counted as inside the guard and was skipped when the
    module was imported."""
    root = tree(
        {
            "noise.py": """
                import numpy as np
                NOISE = np.random.rand(3)
                if __name__ == "__main__":
                    print(NOISE)
            """,
            "train.py": """
                import numpy as np
                import noise
                if __name__ == "__main__":
                    np.random.seed(0)
                    print(noise.NOISE)
            """,
        }
    )
    assert findings(root) == ["noise.py:2: RNG002"]


def test_import_snapshots_give_the_same_findings(tree) -> None:
    """Entry points that start by importing the same package share the result of that import
    (``Program.import_snapshots``); the findings are those of running each import itself."""
    from seedlint.engine.program import Program
    from seedlint.engine.runner import analyse_files, discover
    from seedlint.rules.base import all_rules

    files = {
        "pkg/__init__.py": "from .registry import MODELS, build\nfrom . import models\n",
        "pkg/registry.py": """
            import numpy as np
            MODELS = {}
            NOISE = np.random.rand(3)
            def register(fn):
                MODELS[fn.__name__] = fn
                return fn
            def build(name):
                return MODELS[name]()
        """,
        "pkg/models.py": """
            import random
            import torch.nn as nn
            from .registry import register
            @register
            def small():
                return nn.Linear(2, 2) if random.random() < 2 else None
        """,
    }
    for i in range(4):
        seed = "import torch; torch.manual_seed(0)" if i % 2 else "pass"
        files[f"run_{i}.py"] = f"""
            import pkg
            if __name__ == "__main__":
                {seed}
                print(pkg.build("small"))
        """
    root = tree(files)
    settings = Settings(root=str(root))
    analysed = analyse_files(discover([str(root)], settings), settings, frozenset(all_rules()), 1)
    facts = {src.key: f for src, f, _ in analysed if f is not None}
    rules = [cls() for cls in all_rules().values()]

    def run(share: bool) -> list[tuple[str, str, int, tuple[int, ...]]]:
        program = Program(facts)
        program.share_imports = share
        out = [f for rule in rules for f in rule.check_program(program)]
        if share:
            assert program.import_snapshots  # the later entry points replayed the import
        return sorted(
            (f.code, Path(f.path).name, f.span.line, tuple(r.span.line for r in f.related))
            for f in out
        )

    shared = run(True)
    assert shared == run(False)
    assert ("RNG002", "registry.py", 3, ()) in shared  # at import time, for each entry point
