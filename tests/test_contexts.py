"""Contexts (DESIGN "Contexts"): every entry point is a program, a demo, a benchmark or a test;
a finding takes the most important context among the entry points that make it true; only
``program`` findings are shown by default, and the summary says what was not shown.

The projects are reductions of what readers judged "true but useless" on public repositories:
pytest files with random inputs, a ``benchmarks/`` script that turns cudnn.benchmark on, a
degradation module's ``__main__`` demo next to the training script that uses it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from seedlint.config import Settings
from seedlint.engine import contexts
from seedlint.engine.runner import lint_paths
from tests.conftest import run_cli

ALL = contexts.CONTEXTS

AUG = """
    import random

    import numpy as np


    def degrade(x):
        return x + random.gauss(0, 1)


    def colormap():
        return np.random.rand(3)


    if __name__ == "__main__":
        # a demo of the module, run by hand
        print(degrade(1.0), colormap())
"""

TRAIN = """
    import argparse

    import torch

    from pkg.aug import degrade


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=0)
        args = parser.parse_args()
        torch.manual_seed(args.seed)
        for step in range(10):
            print(degrade(float(step)))


    if __name__ == "__main__":
        main()
"""


def found(root: Path, shown: tuple[str, ...] = ALL, **kw: object) -> list[tuple[str, str]]:
    """``(path:line: CODE, context)`` of every finding shown with ``shown`` contexts."""
    settings = Settings(root=str(root), contexts=shown, **kw)  # type: ignore[arg-type]
    report = lint_paths([str(root)], settings)
    assert not report.errors, report.errors
    return [
        (f"{Path(f.path).relative_to(root).as_posix()}:{f.span.line}: {f.code}", f.context or "")
        for f in report.findings
    ]


def test_path_classification() -> None:
    assert contexts.is_test_file("tests/helpers.py")
    assert contexts.is_test_file("pkg/test/util.py")
    assert contexts.is_test_file("pkg/test_model.py")
    assert contexts.is_test_file("pkg/model_test.py")
    assert contexts.is_test_file("conftest.py")
    assert not contexts.is_test_file("pkg/testing.py")
    assert not contexts.is_test_file("latest_model.py")
    assert contexts.is_test_module("tests/test_x.py") and not contexts.is_test_module(
        "tests/util.py"
    )
    assert contexts.is_benchmark_file("benchmarks/run.py")
    assert contexts.is_benchmark_file("tools/bench_attention.py")
    assert contexts.is_benchmark_file("scripts/profile_dataloader.py")
    assert contexts.is_benchmark_file("profiling/step.py")
    assert not contexts.is_benchmark_file("train.py")
    assert contexts.best(["test", "demo", "benchmark"]) == "demo"
    assert contexts.best(["test", "program"]) == "program"


def test_demo_block_next_to_a_training_script(tree) -> None:
    root = tree({"pkg/__init__.py": "", "pkg/aug.py": AUG, "train.py": TRAIN})
    # The training script seeds torch but not `random`: the shared draw is a program finding.
    # `colormap()` runs only in the module's own demo block: a demo finding.
    assert found(root) == [
        ("pkg/aug.py:7: RNG001", "program"),
        ("pkg/aug.py:11: RNG002", "demo"),
    ]
    assert found(root, contexts.DEFAULT) == [("pkg/aug.py:7: RNG001", "program")]


def test_a_command_line_program_imported_by_another_stays_a_program(tree) -> None:
    # yolov5: train.py imports val.py, and val.py is a program of its own (argparse)
    root = tree(
        {
            "val.py": """
                import argparse
                import numpy as np


                def run(n):
                    return np.random.permutation(n)


                if __name__ == "__main__":
                    parser = argparse.ArgumentParser()
                    parser.add_argument("--n", type=int, default=4)
                    run(parser.parse_args().n)
            """,
            "train.py": """
                import numpy as np
                import val


                def main():
                    np.random.seed(0)
                    val.run(3)


                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert found(root) == [("val.py:6: RNG002", "program")]


def test_benchmark_scripts(tree) -> None:
    root = tree(
        {
            "benchmarks/bench_conv.py": """
                import torch
                import torch.backends.cudnn as cudnn

                cudnn.benchmark = True
                x = torch.randn(8, 3, 32, 32)
                for _ in range(10):
                    torch.nn.functional.conv2d(x, torch.randn(4, 3, 3, 3))
            """,
            "train.py": """
                import torch

                torch.backends.cudnn.benchmark = True
            """,
        }
    )
    assert found(root) == [
        ("benchmarks/bench_conv.py:4: RNG501", "benchmark"),
        ("benchmarks/bench_conv.py:5: RNG003", "benchmark"),
        ("train.py:3: RNG501", "program"),
    ]
    assert found(root, contexts.DEFAULT) == [("train.py:3: RNG501", "program")]


CONFTEST_SEEDS = """
    import random

    import numpy as np
    import pytest


    @pytest.fixture(autouse=True)
    def _seed():
        random.seed(0)
        np.random.seed(0)
"""

TESTS = """
    import random

    import numpy as np
    import torch

    from pkg.aug import colormap


    def test_colormap():
        assert colormap().shape == (3,)


    def test_noise():
        x = torch.rand(3)
        assert random.random() < 2 and x.shape == (3,)
"""


def test_pytest_functions_are_entry_points_seeded_by_autouse_fixtures(tree) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/aug.py": AUG.split("if __name__")[0],
        "tests/test_aug.py": TESTS,
    }
    root = tree(files)
    # No fixture: each test is an entry point that seeds nothing.
    assert found(root) == [
        ("pkg/aug.py:11: RNG002", "test"),
        ("tests/test_aug.py:14: RNG003", "test"),
        ("tests/test_aug.py:15: RNG001", "test"),
    ]
    report = lint_paths([str(root)], Settings(root=str(root), contexts=ALL))
    by_line = {f.span.line: f for f in report.findings if f.path.endswith("test_aug.py")}
    assert "tests/test_aug.py::test_noise never seeds" in by_line[14].message
    assert "autouse fixture" in by_line[14].message
    assert by_line[14].fix is None  # a test is not seeded by a line in its module
    assert by_line[14].entry_point is not None and by_line[14].entry_point.endswith("::test_noise")
    # By default none of it is shown.
    assert found(root, contexts.DEFAULT) == []
    # A conftest.py above the tests seeds random and NumPy before every test: only torch is left.
    (root / "tests" / "conftest.py").write_text(
        "\n".join(line[4:] for line in CONFTEST_SEEDS.splitlines()).lstrip("\n")
    )
    assert found(root) == [("tests/test_aug.py:14: RNG003", "test")]


def test_fixtures_a_test_names_and_unittest_setup_seed_it(tree) -> None:
    root = tree(
        {
            "tests/test_model.py": """
                import unittest

                import pytest
                import torch


                @pytest.fixture
                def seeded():
                    torch.manual_seed(0)


                def test_named_fixture(seeded):
                    assert torch.rand(2).shape == (2,)


                def test_without_it():
                    assert torch.rand(2).shape == (2,)


                class TestInit:
                    @pytest.fixture(autouse=True)
                    def _seed(self):
                        torch.manual_seed(1)

                    def test_layer(self):
                        assert torch.nn.Linear(2, 2).weight.shape == (2, 2)


                class ModelCase(unittest.TestCase):
                    def setUp(self):
                        torch.manual_seed(2)

                    def test_randn(self):
                        self.assertEqual(torch.randn(2).shape, (2,))

                    def helper(self):
                        return torch.randn(2)
            """,
        }
    )
    assert found(root) == [("tests/test_model.py:17: RNG003", "test")]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("requirements-dev.txt", "pytest>=7\npytest-randomly==3.15\n"),
        ("pyproject.toml", '[project.optional-dependencies]\ntest = ["pytest-randomly"]\n'),
        ("setup.cfg", "[options.extras_require]\ntest =\n    pytest_randomly\n"),
    ],
)
def test_pytest_randomly_seeds_every_test(tree, name: str, text: str) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/aug.py": AUG.split("if __name__")[0],
        "tests/test_aug.py": TESTS,
    }
    root = tree(files)
    assert found(root) != []
    (root / name).write_text(text)
    assert found(root) == []


def test_findings_in_test_files_are_test_whatever_reaches_them(tree) -> None:
    # a helper under tests/ that a training script imports (it happens): still a test finding
    root = tree(
        {
            "tests/fake_data.py": """
                import torch
                from torch.utils.data import DataLoader


                def loader(ds):
                    return DataLoader(ds, shuffle=True)
            """,
            "train.py": """
                from tests.fake_data import loader


                if __name__ == "__main__":
                    loader([1, 2, 3])
            """,
        }
    )
    assert found(root) == [("tests/fake_data.py:6: RNG302", "test")]


def test_library_code_takes_its_context_from_what_reaches_it(tree) -> None:
    loaders = """
        from torch.utils.data import DataLoader


        def train_loader(ds):
            return DataLoader(ds, shuffle=True)


        def bench_loader(ds):
            return DataLoader(ds, shuffle=True)


        def unused_loader(ds):
            return DataLoader(ds, shuffle=True)
    """
    root = tree(
        {
            "pkg/__init__.py": "",
            "pkg/data.py": loaders,
            "train.py": """
                from pkg.data import train_loader


                if __name__ == "__main__":
                    train_loader([1, 2])
            """,
            "benchmarks/speed.py": """
                from pkg.data import bench_loader


                if __name__ == "__main__":
                    bench_loader([1, 2])
            """,
        }
    )
    assert found(root) == [
        ("pkg/data.py:5: RNG302", "program"),
        ("pkg/data.py:9: RNG302", "benchmark"),
        ("pkg/data.py:13: RNG302", "program"),  # nothing reaches it: its path says program
    ]


def test_cli_contexts_option_config_json_sarif_and_summary(tree) -> None:
    root = tree(
        {
            "pkg/__init__.py": "",
            "pkg/aug.py": AUG,
            "train.py": TRAIN,
            "benchmarks/bench.py": "import torch\n\ntorch.backends.cudnn.benchmark = True\n",
        }
    )
    plain = run_cli("--isolated", "--no-cache", ".", cwd=root)
    assert plain.returncode == 1
    assert [line.split(": ")[1].split()[0] for line in plain.stdout.splitlines()] == ["RNG001"]
    assert (
        "2 findings not shown (1 in demo blocks, 1 in benchmarks: `--contexts all` shows them)"
        in plain.stderr
    )
    every = run_cli(
        "--isolated", "--no-cache", "--contexts", "all", "--format", "json", ".", cwd=root
    )
    data = json.loads(every.stdout)
    assert sorted((d["path"], d["code"], d["context"]) for d in data) == [
        ("benchmarks/bench.py", "RNG501", "benchmark"),
        ("pkg/aug.py", "RNG001", "program"),
        ("pkg/aug.py", "RNG002", "demo"),
    ]
    assert "not shown" not in every.stderr
    some = run_cli("--isolated", "--no-cache", "--contexts", "program,benchmark", ".", cwd=root)
    assert "RNG501" in some.stdout and "RNG002" not in some.stdout
    assert "1 finding not shown (1 in demo blocks: `--contexts demo` shows it)" in some.stderr
    sarif = run_cli(
        "--isolated", "--no-cache", "--contexts", "all", "--format", "sarif", ".", cwd=root
    )
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert sorted(r["properties"]["context"] for r in results) == ["benchmark", "demo", "program"]
    bad = run_cli("--isolated", "--no-cache", "--contexts", "tests", ".", cwd=root)
    assert bad.returncode == 2 and "unknown context 'tests'" in bad.stderr
    # configuration
    (root / "pyproject.toml").write_text('[tool.seedlint]\ncontexts = ["program", "demo"]\n')
    configured = run_cli("--no-cache", ".", cwd=root)
    assert "RNG002" in configured.stdout and "RNG501" not in configured.stdout
    (root / "pyproject.toml").write_text('[tool.seedlint]\ncontexts = ["programs"]\n')
    wrong = run_cli("--no-cache", ".", cwd=root)
    assert wrong.returncode == 2 and "contexts: unknown context 'programs'" in wrong.stderr


def test_only_shown_findings_are_fixed(tree) -> None:
    root = tree(
        {
            "benchmarks/bench.py": "import torch\n\nfor _ in range(3):\n    torch.randn(4)\n",
            "train.py": "import torch\n\nfor _ in range(3):\n    torch.randn(4)\n",
        }
    )
    before = (root / "benchmarks" / "bench.py").read_text()
    result = run_cli("--isolated", "--no-cache", "--fix", "--unsafe-fixes", ".", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "seed_everything(0)" in (root / "train.py").read_text()
    assert (root / "benchmarks" / "bench.py").read_text() == before
    assert "1 finding not shown (1 in benchmarks" in result.stderr


def test_flake8_shows_program_findings_and_reads_contexts(tree) -> None:
    root = tree({"tests/test_x.py": TESTS, "pkg/__init__.py": "", "pkg/aug.py": AUG})
    cmd = [sys.executable, "-m", "flake8", "--select", "RNG", "tests/test_x.py"]
    out = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=120)
    assert out.stdout == ""
    (root / "pyproject.toml").write_text('[tool.seedlint]\ncontexts = ["all"]\n')
    out = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=120)
    assert "tests/test_x.py:14:9: RNG003" in out.stdout


def test_corpus_style_settings_keep_every_context(tree) -> None:
    root = tree({"pkg/__init__.py": "", "pkg/aug.py": AUG, "train.py": TRAIN})
    settings = replace(Settings(root=str(root)), contexts=ALL)
    assert len(lint_paths([str(root)], settings).findings) == 2
    report = lint_paths([str(root)], Settings(root=str(root)))
    assert report.hidden == {"demo": 1}
