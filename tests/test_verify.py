"""``seedlint verify`` on real small training programs: real processes, real DataLoader workers
(fork and spawn), real optimizers. Each program is run by the command a user types."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_tree

pytest.importorskip("torch")
pytest.importorskip("numpy")

TRAIN = """
    import random

    import numpy as np
    import torch
    from torch.utils.data import DataLoader, Dataset


    class Noisy(Dataset):
        def __init__(self, n):
            self.x = torch.linspace(0, 1, n * 4).reshape(n, 4)

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            x = self.x[i]
            if torch.rand(1).item() < 0.5:  # augmentation, drawn in the workers
                x = x.flip(0)
            return x + 0.01 * torch.randn(4), int(i % 2)


    def main():
        SEED_LINE
        model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = DataLoader(Noisy(32), batch_size=8, shuffle=True, num_workers=2, CONTEXT)
        for step, (x, y) in enumerate(loader):
            STEP_LINE
            loss = torch.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(round(float(model[0].weight.sum()), 6))


    if __name__ == "__main__":
        main()
"""


def program(
    tmp_path: Path,
    seed: str = "random.seed(0); np.random.seed(0); torch.manual_seed(0)",
    step: str = "pass",
    context: str = 'multiprocessing_context="fork"',
    edits: tuple[tuple[str, str], ...] = (),
) -> Path:
    """``train.py`` from TRAIN: its seed line, a line in each step, the loader's context and
    other edits (text as in TRAIN → replacement)."""
    text = TRAIN.replace("SEED_LINE", seed).replace("STEP_LINE", step).replace("CONTEXT", context)
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return write_tree(tmp_path, {"train.py": text})


def verify(root: Path, *args: str) -> tuple[int, dict]:
    r = run_cli("verify", "--format", "json", *args, "--", sys.executable, "train.py", cwd=root)
    return r.returncode, json.loads(r.stdout)


def test_a_seeded_program_with_workers_and_augmentation_repeats(tmp_path: Path) -> None:
    root = program(tmp_path)
    r = run_cli("verify", "--", sys.executable, "train.py", cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("2 runs identical (")
    code, out = verify(root, "--runs", "3")
    assert code == 0 and out["reproducible"] is True and out["divergence"] is None
    assert out["compared"]["batches"] == 4 and out["compared"]["steps"] == 4
    assert out["compared"]["draws"] > 0


def test_spawned_workers_are_not_recorded_twice(tmp_path: Path) -> None:
    root = program(tmp_path, context='multiprocessing_context="spawn"')
    code, out = verify(root)
    assert code == 0, out
    assert out["compared"]["batches"] == 4


def test_an_unseeded_numpy_draw_in_step_2_is_named(tmp_path: Path) -> None:
    root = program(
        tmp_path,
        seed="random.seed(0); torch.manual_seed(0)",
        step="x = x + float(np.random.rand()) if step == 2 else x",
    )
    code, out = verify(root)
    assert code == 1
    d = out["divergence"]
    assert (d["kind"], d["path"], d["line"], d["call"], d["library"]) == (
        "rng",
        "train.py",
        28,
        "numpy.random.rand",
        "numpy",
    )
    assert d["rule"] == "RNG002"
    assert d["identical"]["batch"] == 3  # steps 0 and 1, and the batch of step 2
    assert d["reported"] == "RNG002"  # the linter reports that line too


def test_a_model_built_before_the_seed_diverges_at_its_constructor(tmp_path: Path) -> None:
    root = program(
        tmp_path,
        seed="pass",
        edits=(
            (
                "        opt = torch.optim.SGD",
                "        random.seed(0); np.random.seed(0); torch.manual_seed(0)\n"
                "        opt = torch.optim.SGD",
            ),
        ),
    )
    code, out = verify(root)
    assert code == 1
    d = out["divergence"]
    assert (d["kind"], d["path"], d["line"], d["library"]) == ("rng", "train.py", 24, "torch")
    assert d["call"].startswith("torch.nn.init.")  # nn.Linear's initialisation
    assert d["rule"] == "RNG003"


def test_a_generator_held_by_the_dataset_diverges(tmp_path: Path) -> None:
    root = program(
        tmp_path,
        edits=(
            (
                "            self.x = torch.linspace(0, 1, n * 4).reshape(n, 4)",
                "            self.x = torch.linspace(0, 1, n * 4).reshape(n, 4)\n"
                "            self.rng = np.random.default_rng()",
            ),
            ("            x = self.x[i]", "            x = self.x[i] * float(self.rng.random())"),
        ),
    )
    code, out = verify(root)
    assert code == 1
    d = out["divergence"]
    # the unseeded generator is seen where it is built (its draws happen in the workers)
    assert (d["kind"], d["line"], d["call"], d["rule"]) == (
        "rng",
        11,
        "numpy.random.default_rng",
        "RNG101",
    )


def test_data_that_differs_without_a_visible_draw(tmp_path: Path) -> None:
    # a private Generator made by numpy's own constructor, not default_rng: only the batches
    # show it
    root = program(
        tmp_path,
        edits=(
            (
                "            x = self.x[i]",
                "            x = self.x[i] * float(np.random.Generator(np.random.PCG64()).random())",
            ),
        ),
    )
    code, out = verify(root)
    assert code == 1
    d = out["divergence"]
    assert (d["kind"], d["step"], d["rule"]) == ("data", 0, "RNG104")


def test_a_failing_command_is_exit_2_with_its_stderr(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"train.py": "raise SystemExit('no data found')\n"})
    r = run_cli("verify", "--", sys.executable, "train.py", cwd=root)
    assert r.returncode == 2
    assert "run 1 of" in r.stderr and "exited with status 1" in r.stderr
    assert "no data found" in r.stderr
    r = run_cli(
        "verify", "--timeout", "1", "--", sys.executable, "-c", "import time; time.sleep(30)"
    )
    assert r.returncode == 2 and "timed out after 1 s" in r.stderr


def test_examples_diverge_and_repeat_after_fix(tmp_path: Path) -> None:
    root = tmp_path / "examples"
    shutil.copytree(Path(__file__).parent.parent / "examples", root)
    command = ["verify", "--format", "json", "--", sys.executable, "mnistlike/train.py"]
    r = run_cli(*command, cwd=root)
    assert r.returncode == 1, r.stdout + r.stderr
    before = json.loads(r.stdout)["divergence"]
    assert before["kind"] == "rng" and before["path"].startswith("mnistlike/")
    assert run_cli("--fix", "--unsafe-fixes", ".", cwd=root).returncode == 0
    r = run_cli(*command, cwd=root)
    assert r.returncode == 0, r.stdout
    assert json.loads(r.stdout)["reproducible"] is True
