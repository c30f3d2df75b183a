"""``--fix``, ``--unsafe-fixes``, ``--diff``: each fix's rewrite, imports, and the guarantees
(parses, idempotent, noqa respected, atomic writes keeping mode/encoding/line endings, exit status
from what is left, the examples project made reproducible)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent


def fix(tmp_path: Path, source: str, *extra: str, name: str = "a.py") -> str:
    """The file after ``--fix``; RNG305 is on, so every loader with workers gets the
    ``worker_init_fn`` fix (RNG301 gives the same fix where the program needs it)."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(source).lstrip("\n"))
    run_cli("--isolated", "--no-cache", "--extend-select", "RNG305", "--fix", *extra, str(tmp_path))
    return path.read_text()


def test_dataloader_fixes_add_the_runtime_helpers(tmp_path: Path) -> None:
    out = fix(
        tmp_path,
        """
        import torch
        from torch.utils.data import DataLoader, random_split

        def build(ds, args):
            a, b = random_split(ds, [0.9, 0.1])
            loader = DataLoader(
                a,
                batch_size=32,
                shuffle=True,
                num_workers=args.workers,
            )
            other = DataLoader(b, 4, True, None, None, 2, None, False, False, 0, None)
            return loader, other
        """,
    )
    assert out == textwrap.dedent(
        """\
        import torch
        from seedlint_runtime import seed_worker, seeded_generator
        from torch.utils.data import DataLoader, random_split

        def build(ds, args):
            a, b = random_split(ds, [0.9, 0.1], generator=seeded_generator())
            loader = DataLoader(
                a,
                batch_size=32,
                shuffle=True,
                num_workers=args.workers,
                worker_init_fn=seed_worker,
                generator=seeded_generator(),
            )
            other = DataLoader(b, 4, True, None, None, 2, None, False, False, 0, seed_worker, generator=seeded_generator())
            return loader, other
        """
    )


def test_imports_reuse_what_the_file_has(tmp_path: Path) -> None:
    out = fix(
        tmp_path,
        """
        import seedlint_runtime as slr
        from torch.utils.data import DataLoader

        loader = DataLoader([1], num_workers=2)
        """,
    )
    assert "worker_init_fn=slr.seed_worker" in out
    assert out.count("import seedlint_runtime") == 1
    out = fix(
        tmp_path,
        """
        from seedlint_runtime import seed_everything
        from torch.utils.data import DataLoader

        loader = DataLoader([1], num_workers=2)
        """,
    )
    assert "from seedlint_runtime import seed_everything, seed_worker\n" in out
    # a project function of the same name is not shadowed
    out = fix(
        tmp_path,
        """
        from torch.utils.data import DataLoader

        def seed_worker(worker_id):
            pass

        loader = DataLoader([1], num_workers=2)
        """,
    )
    assert "worker_init_fn=seedlint_runtime.seed_worker" in out
    assert "import seedlint_runtime\n" in out


def test_random_tensor_on_cuda_is_drawn_on_the_cpu(tmp_path: Path) -> None:
    out = fix(
        tmp_path,
        """
        import torch

        dev = "cuda"
        a = torch.randn(3, 4, dtype=torch.float16, device=dev)
        b = torch.rand(3, device=dev, requires_grad=True)
        c = torch.randn_like(a, device=dev)
        d = torch.randn(3, device=dev, out=a)
        """,
    )
    assert "a = torch.randn(3, 4, dtype=torch.float16).to(dev)\n" in out
    assert "b = torch.rand(3).to(dev).requires_grad_()\n" in out
    assert 'c = torch.randn_like(a, device="cpu").to(dev)\n' in out
    assert "d = torch.randn(3, device=dev, out=a)\n" in out  # out=: no fix


def test_unsafe_fixes_need_the_flag(tmp_path: Path) -> None:
    source = """
        import random
        import numpy as np
        import torch

        class Aug:
            def __init__(self):
                self.rng = np.random.default_rng()
                self.py = random.Random()
                self.g = torch.Generator()

            def __call__(self, x):
                return torch.rand(1, generator=self.g)

        torch.backends.cudnn.benchmark = True
        """
    assert fix(tmp_path, source) == textwrap.dedent(source).lstrip("\n")
    out = fix(tmp_path, source, "--unsafe-fixes")
    assert 'np.random.default_rng(derive_seed("a:Aug.__init__:self.rng"))' in out
    assert 'random.Random(derive_seed("a:Aug.__init__:self.py"))' in out
    assert 'torch.Generator().manual_seed(derive_seed("a:Aug.__init__:self.g"))' in out
    assert "torch.backends.cudnn.benchmark = False\n" in out
    assert "from seedlint_runtime import derive_seed\n" in out


def test_entry_point_is_seeded_once(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(
        "import torch\n\ndef init(w):\n    return torch.nn.init.normal_(w)\n"
    )
    out = fix(
        tmp_path,
        """
        import random
        import numpy as np
        import torch
        from model import init

        def main():
            print(random.random(), np.random.rand(), init(torch.empty(3)))

        if __name__ == "__main__":
            main()
        """,
        "--unsafe-fixes",
        name="train.py",
    )
    assert out.endswith('if __name__ == "__main__":\n    seed_everything(0)\n    main()\n')
    assert out.count("seed_everything(0)") == 1
    assert "from seedlint_runtime import seed_everything\n" in out
    assert (tmp_path / "model.py").read_text().startswith("import torch\n")


def test_guarantees_idempotent_noqa_diff_and_exit_status(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    source = (
        "import numpy as np\n"
        "from torch.utils.data import DataLoader, Dataset\n\n"
        "class D(Dataset):\n"
        "    def __init__(self):\n"
        "        self.rng = np.random.default_rng(0)\n\n"
        "    def __getitem__(self, i):\n"
        "        return self.rng.random()\n\n"
        "a = DataLoader(D(), num_workers=2)\n"
        "b = DataLoader(D(), num_workers=2)  # noqa: RNG305\n"
    )
    path.write_text(source)
    diff = run_cli("--isolated", "--no-cache", "--extend-select", "RNG305", "--diff", str(tmp_path))
    assert diff.returncode == 1
    assert "+a = DataLoader(D(), num_workers=2, worker_init_fn=seed_worker)" in diff.stdout
    assert path.read_text() == source  # --diff writes nothing
    on = ("--isolated", "--no-cache", "--extend-select", "RNG305")
    first = run_cli(*on, "--fix", str(tmp_path))
    fixed = path.read_text()
    assert "b = DataLoader(D(), num_workers=2)  # noqa: RNG305\n" in fixed
    # seed_worker reseeds the dataset's generator: nothing is left
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_cli(*on, "--fix", "--unsafe-fixes", str(tmp_path))
    assert path.read_text() == fixed
    assert second.returncode == 0
    nothing = run_cli(*on, "--diff", str(tmp_path))
    assert nothing.returncode == 0 and nothing.stdout == ""


def test_exit_status_reflects_what_is_left(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("import torch\n\ng = torch.Generator()\ntorch.seed()\n")
    result = run_cli("--isolated", "--no-cache", "--fix", "--unsafe-fixes", str(tmp_path))
    assert result.returncode == 1  # RNG202 has no fix
    assert "RNG202" in result.stdout and "RNG103" not in result.stdout


def test_stdin_gets_the_fixed_source(tmp_path: Path) -> None:
    result = run_cli(
        "--isolated",
        "--fix",
        "--stdin-filename",
        "x.py",
        "-",
        stdin="from torch.utils.data import DataLoader\nl = DataLoader([1], shuffle=True)\n",
        cwd=tmp_path,
    )
    assert result.stdout == (
        "from seedlint_runtime import seeded_generator\n"
        "from torch.utils.data import DataLoader\n"
        "l = DataLoader([1], shuffle=True, generator=seeded_generator())\n"
    )
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("prefix", "newline", "encoding"),
    [
        (b"", b"\r\n", "utf-8"),
        (b"\xef\xbb\xbf", b"\n", "utf-8"),
        (b"# -*- coding: latin-1 -*-\n", b"\n", "latin-1"),
    ],
)
def test_writes_keep_encoding_line_endings_and_mode(
    tmp_path: Path, prefix: bytes, newline: bytes, encoding: str
) -> None:
    lines = [
        "from torch.utils.data import DataLoader",
        "# caf\u00e9",
        "l = DataLoader([1], shuffle=True)",
        "",
    ]
    data = prefix + newline.join(x.encode(encoding) for x in lines)
    path = tmp_path / "a.py"
    path.write_bytes(data)
    os.chmod(path, 0o751)
    run_cli("--isolated", "--no-cache", "--fix", str(tmp_path))
    out = path.read_bytes()
    assert out.startswith(prefix)
    assert "# caf\u00e9".encode(encoding) in out
    assert b"generator=seeded_generator()" in out
    assert out.count(newline) == data.count(newline) + 1
    if newline == b"\r\n":
        assert b"\n" not in out.replace(b"\r\n", b"")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o751
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".seedlint-")]


def test_examples_become_reproducible(tmp_path: Path) -> None:
    """The shipped examples give different numbers on every run; after
    ``seedlint --fix --unsafe-fixes`` two runs give identical numbers (CPU)."""
    project = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", project)
    script = project / "mnistlike" / "train.py"

    def run() -> str:
        done = subprocess.run(
            [sys.executable, str(script), "--epochs", "1"],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    assert run() != run()
    fixed = run_cli("--isolated", "--no-cache", "--fix", "--unsafe-fixes", str(project))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert run() == run()
    again = run_cli("--isolated", "--no-cache", "--diff", "--unsafe-fixes", str(project))
    assert again.returncode == 0 and again.stdout == ""


def test_fixes_inside_fixed_calls_are_kept(tmp_path: Path) -> None:
    out = fix(
        tmp_path,
        """
        from torch.utils.data import DataLoader, random_split

        loader = DataLoader(random_split(range(9), [3, 6])[0], shuffle=True, num_workers=2)
        """,
    )
    assert (
        "DataLoader(random_split(range(9), [3, 6], generator=seeded_generator())[0], "
        "shuffle=True, num_workers=2, worker_init_fn=seed_worker, generator=seeded_generator())"
    ) in out


def test_entry_top_level_draws_are_seeded_before_them(tmp_path: Path) -> None:
    out = fix(
        tmp_path,
        """
        import numpy as np

        NOISE = np.random.rand(3)

        if __name__ == "__main__":
            print(NOISE)
        """,
        "--unsafe-fixes",
        name="run.py",
    )
    assert out.startswith(
        "import numpy as np\nfrom seedlint_runtime import seed_everything\n\n"
        "seed_everything(0)\n\nNOISE = np.random.rand(3)\n"
    )
    left = run_cli("--isolated", "--no-cache", str(tmp_path))
    assert left.returncode == 0, left.stdout


def test_red_team_cases(tmp_path: Path) -> None:
    """Method chains, conditional and timer seeds, loops, environment set-up before imports,
    one-line guards, comments that must stay put."""
    out = fix(
        tmp_path,
        """
        import os
        import random
        import sys
        import time

        os.environ["OMP_NUM_THREADS"] = "1"
        import numpy as np
        import torch

        x = random.Random().random()
        y = torch.randn(3, device="cuda").sum()
        start = time.time()
        random.seed(int(start))
        seed = int(sys.argv[1]) if len(sys.argv) > 1 else int(time.time())
        np.random.seed(seed)
        for generation in range(3):
            np.random.seed(int(time.time()))
        if __name__ == "__main__": print(np.random.rand(), x, y)
        """,
        "--unsafe-fixes",
        name="run.py",
    )
    assert 'x = random.Random(derive_seed("run:<module>:#0")).random()\n' in out
    assert 'y = torch.randn(3).to("cuda").sum()\n' in out
    assert "start = time.time()\n" in out  # a timer is not a seed
    assert 'else derive_seed("run:<module>:seed")\n' in out  # the user's seed survives
    assert "np.random.seed(int(time.time()))\n" in out  # a fresh seed per iteration
    # the seed comes after the environment set-up and every header import
    assert 'os.environ["OMP_NUM_THREADS"] = "1"\nimport numpy as np\nimport torch\n' in out
    assert out.index("seed_everything(0)") > out.index("import torch")
    second = run_cli("--isolated", "--no-cache", "--diff", "--unsafe-fixes", str(tmp_path))
    assert second.stdout == ""
    out = fix(
        tmp_path,
        """
        import random

        if __name__ == "__main__": print(random.random())
        """,
        "--unsafe-fixes",
        name="one.py",
    )
    assert out.endswith('if __name__ == "__main__": seed_everything(0); print(random.random())\n')


def test_comments_on_arguments_stay_on_their_lines(tmp_path: Path) -> None:
    out = fix(
        tmp_path,
        """
        import torch
        from torch.utils.data import DataLoader

        loader = DataLoader(
            [1, 2],
            batch_size=len(torch.randn(2, device="cuda")),  # noqa: RNG401
            shuffle=True,  # keep
        )
        """,
    )
    assert 'batch_size=len(torch.randn(2, device="cuda")),  # noqa: RNG401\n' in out
    assert "    shuffle=True,  # keep\n    generator=seeded_generator(),\n)" in out


def test_one_run_seeds_every_entry_point_that_runs_the_draw(tmp_path: Path) -> None:
    (tmp_path / "lib.py").write_text("import random\n\ndef draw():\n    return random.random()\n")
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.py").write_text(
            'from lib import draw\n\nif __name__ == "__main__":\n    print(draw())\n'
        )
    before = run_cli("--isolated", "--no-cache", str(tmp_path))
    assert before.stdout.count("RNG001") == 1  # one finding, naming one entry point
    result = run_cli("--isolated", "--no-cache", "--fix", "--unsafe-fixes", str(tmp_path))
    assert result.returncode == 0
    assert "Applied 3 fixes in 3 files." in result.stderr
    for name in ("a", "b", "c"):
        assert "    seed_everything(0)\n" in (tmp_path / f"{name}.py").read_text()
