"""Fixes that respect the program: its own seed, its import order (end to end).

Each program is fixed with ``seedlint --fix --unsafe-fixes`` and then run: it must repeat for one
seed and differ between two seeds (the user's seed still controls the run), and ruff must find no
new E402 (import not at top) or I001 (unsorted imports) in the fixed files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree

pytest.importorskip("torch")

SET_SEED = """
    import random

    import numpy as np


    def set_seed(seed):
        random.seed(seed)
        np.random.seed(seed)
"""

MODEL = """
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 2)

        def forward(self, x):
            return self.fc(x)
"""

ARGPARSE = """
    import argparse

    import torch
    from model import Net
    from utils import set_seed


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=0)
        args = parser.parse_args()
        net = Net()
        set_seed(args.seed)
        x = torch.randn(4, 8)
        print(round(float(net(x).sum()), 6))


    if __name__ == "__main__":
        main()
"""

HYDRA_STYLE = """
    import argparse
    from types import SimpleNamespace

    import torch
    from model import Net
    from utils import set_seed


    def run(cfg):
        net = Net()
        set_seed(cfg.seed)
        noise = torch.rand(3)
        print(round(float(net(torch.ones(1, 8)).sum() + noise.sum()), 6))


    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=0)
        run(SimpleNamespace(seed=parser.parse_args().seed, lr=0.1))
"""

IMPORT_TIME = """
    import argparse
    import os
    import sys

    import torch

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

    from tables import PROTOTYPES  # noqa: E402
    from utils import set_seed  # noqa: E402


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=0)
        args = parser.parse_args()
        set_seed(args.seed)
        w = torch.randn(8)
        print(round(float(PROTOTYPES.sum()) + float(w.sum()), 6))


    if __name__ == "__main__":
        main()
"""

TABLES = """
    import numpy as np

    PROTOTYPES = np.random.randn(4, 8)
"""


def _ruff(root: Path) -> set[str]:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    r = subprocess.run(
        [ruff, "check", "--isolated", "--select", "E402,I", "--output-format", "concise", "."],
        cwd=root,
        capture_output=True,
        text=True,
    )
    out = set()
    for line in r.stdout.splitlines():
        path, _, rest = line.partition(":")
        if rest.count(":") >= 2:  # path:line:col: CODE message — lines shift, codes must not
            out.add((path, rest.split(": ", 1)[1]))
    return out


def _run(root: Path, entry: str, seed: int) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHASHSEED", "SEEDLINT_SEED")}
    r = subprocess.run(
        [sys.executable, entry, "--seed", str(seed)],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def _fix(root: Path) -> str:
    before = _ruff(root)
    r = run_cli("--fix", "--unsafe-fixes", ".", cwd=root)
    assert "Applied" in r.stderr, r.stderr
    assert _ruff(root) <= before, _ruff(root) - before  # no new E402 / I001
    return r.stderr


@pytest.mark.parametrize(
    ("entry", "files"),
    [
        ("train.py", {"train.py": ARGPARSE, "model.py": MODEL, "utils.py": SET_SEED}),
        ("run.py", {"run.py": HYDRA_STYLE, "model.py": MODEL, "utils.py": SET_SEED}),
        ("train.py", {"train.py": IMPORT_TIME, "tables.py": TABLES, "utils.py": SET_SEED}),
    ],
    ids=["argparse-seed-helper-without-torch", "config-object-seed", "import-time-draw"],
)
def test_fixed_program_repeats_per_seed_and_its_seed_still_matters(
    tmp_path: Path, entry: str, files: dict[str, str]
) -> None:
    root = write_tree(tmp_path, files)
    assert _run(root, entry, 1) != _run(root, entry, 1)  # the premise: it does not repeat
    _fix(root)
    first = _run(root, entry, 1)
    assert first == _run(root, entry, 1)
    assert first != _run(root, entry, 2)
    r = run_cli(".", cwd=root)
    assert "RNG00" not in r.stdout, r.stdout


def test_the_program_seed_goes_where_it_is_known(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"train.py": ARGPARSE, "model.py": MODEL, "utils.py": SET_SEED})
    r = run_cli("--format", "json", "--unsafe-fixes", ".", cwd=root)
    import json

    (finding,) = [d for d in json.loads(r.stdout) if d["code"] == "RNG003"]
    assert finding["fix"]["message"] == (
        "add `seed_everything(args.seed)` to train.py in `main()` right after `args` is set "
        "(line 11), with the program's own seed"
    )
    _fix(root)
    text = (root / "train.py").read_text()
    assert (
        "    args = parser.parse_args()\n    seed_everything(args.seed)\n    net = Net()\n" in text
    )
    # the runtime import sorted into the file's import block
    assert (
        "import torch\nfrom model import Net\nfrom seedlint_runtime import seed_everything\n"
        "from utils import set_seed\n"
    ) in text


def test_an_import_time_draw_is_seeded_right_before_its_import(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path, {"train.py": IMPORT_TIME, "tables.py": TABLES, "utils.py": SET_SEED}
    )
    r = run_cli("--format", "json", "--unsafe-fixes", ".", cwd=root)
    import json

    messages = {d["fix"]["message"] for d in json.loads(r.stdout) if d["code"] == "RNG002"}
    assert (
        "add `seed_everything(0)` to train.py right before the import of tables.py that runs the "
        "draw (the imports after it get `# noqa: E402`) (the program has no seed of its own that "
        "covers this draw: 0 is a choice, put yours)"
    ) in messages
    _fix(root)
    text = (root / "train.py").read_text()
    assert (
        "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n\nseed_everything(0)\n"
        "from tables import PROTOTYPES  # noqa: E402\n"
    ) in text
    assert text.index("from seedlint_runtime import seed_everything") < text.index("sys.path")


def _invalid_examples() -> list[tuple[str, int]]:
    from seedlint.rules.base import all_rules

    return [
        (code, i)
        for code, rule in all_rules().items()
        if rule.fixable
        for i in range(len(rule.invalid))
    ]


@pytest.mark.parametrize(("code", "index"), _invalid_examples())
def test_fixing_an_example_adds_no_import_warnings(code: str, index: int, tmp_path: Path) -> None:
    """Every fixable rule's examples (and ``examples/``, below), fixed with
    ``--unsafe-fixes``: ruff's E402 and I001 find nothing they did not find before."""
    import textwrap

    from seedlint.rules.base import all_rules

    example = all_rules()[code].invalid[index]
    files = {"main.py": textwrap.dedent(example.code).strip("\n") + "\n"}
    for rel, text in (example.files or {}).items():
        files[rel] = textwrap.dedent(text).strip("\n") + "\n"
    root = write_tree(tmp_path, files)
    before = _ruff(root)
    run_cli("--fix", "--unsafe-fixes", "--select", code, ".", cwd=root)
    assert _ruff(root) <= before, _ruff(root) - before


def test_fixing_the_example_project_adds_no_import_warnings(tmp_path: Path) -> None:
    root = tmp_path / "examples"
    shutil.copytree(Path(__file__).parent.parent / "examples", root)
    before = _ruff(root)
    r = run_cli("--fix", "--unsafe-fixes", ".", cwd=root)
    assert "Applied" in r.stderr
    assert _ruff(root) <= before, _ruff(root) - before


SEEDED_FIRST = """
    import argparse

    import torch

    from utils import set_seed


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=0)
        args = parser.parse_args()
        set_seed(args.seed)
        print(round(float(torch.randn(3).sum()), 6))


    if __name__ == "__main__":
        main()
"""


def test_the_programs_own_helper_is_completed_rather_than_a_second_seed_added(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path, {"train.py": SEEDED_FIRST, "utils.py": SET_SEED})
    assert _run(root, "train.py", 1) != _run(root, "train.py", 1)
    stderr = _fix(root)
    assert "Applied 1 fix in 1 file." in stderr
    assert (root / "train.py").read_text() == __import__("textwrap").dedent(SEEDED_FIRST).lstrip()
    helper = (root / "utils.py").read_text()
    assert helper == (
        "import random\n\nimport numpy as np\nimport torch\n\n\ndef set_seed(seed):\n"
        "    random.seed(seed)\n    np.random.seed(seed)\n    torch.manual_seed(seed)\n"
    )
    first = _run(root, "train.py", 1)
    assert first == _run(root, "train.py", 1)
    assert first != _run(root, "train.py", 2)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            """
            import argparse

            import torch


            def main():
                parser = argparse.ArgumentParser()
                parser.add_argument("--seed", type=int, default=0)
                args = parser.parse_args()
                print(float(torch.randn(3).sum()))


            if __name__ == "__main__":
                main()
            """,
            "    args = parser.parse_args()\n    seed_everything(args.seed)\n",
        ),
        (
            """
            import torch

            SEED = 3


            def main():
                x = torch.randn(3)
                torch.manual_seed(SEED)
                print(float(x.sum()))


            if __name__ == "__main__":
                main()
            """,
            "def main():\n    seed_everything(SEED)\n    x = torch.randn(3)\n",
        ),
        (
            """
            import hydra
            import torch


            @hydra.main(config_path="conf", config_name="train", version_base=None)
            def main(cfg):
                model = torch.nn.Linear(4, 2)
                torch.manual_seed(cfg.seed)
                print(model(torch.ones(4)))


            if __name__ == "__main__":
                main()
            """,
            "def main(cfg):\n    seed_everything(cfg.seed)\n    model = torch.nn.Linear(4, 2)\n",
        ),
        (
            """
            import argparse

            import numpy as np
            import torch

            parser = argparse.ArgumentParser()
            parser.add_argument("--seed", type=int, default=0)
            args = parser.parse_args()
            x = torch.randn(3)
            np.random.seed(args.seed)
            print(float(x.sum()), np.random.rand())
            """,
            "args = parser.parse_args()\nseed_everything(args.seed)\nx = torch.randn(3)\n",
        ),
    ],
    ids=["unused-seed-option", "module-constant", "hydra-config", "script-top-level"],
)
def test_the_programs_seed_is_found(tmp_path: Path, source: str, expected: str) -> None:
    root = write_tree(tmp_path, {"train.py": source})
    _fix(root)
    assert expected in (root / "train.py").read_text()


def test_a_generator_seeded_from_a_value_that_may_be_none_keeps_that_value(
    tmp_path: Path,
) -> None:
    # fairseq's compute_mask_indices: `default_rng(seed_i)` with `seed_i` None when no seed is
    # given — the fix keeps the program's seed and derives one only when it is None
    root = write_tree(
        tmp_path,
        {
            "masks.py": """
                import numpy as np


                def masks(n, seed=None):
                    seed_i = seed + 1 if seed is not None else None
                    rng = np.random.default_rng(seed_i)
                    return rng.random(n)


                if __name__ == "__main__":
                    print(masks(3))
            """
        },
    )
    _fix(root)
    text = (root / "masks.py").read_text()
    assert (
        "np.random.default_rng(seed_i if seed_i is not None else "
        'derive_seed("masks:masks:rng"))' in text
    )
