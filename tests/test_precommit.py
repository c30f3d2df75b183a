"""The pre-commit hooks in ``.pre-commit-hooks.yaml``, checked with pre-commit itself.

The try-repo tests run the real ``pre-commit try-repo`` in a throwaway git repository: pre-commit
clones this repository, builds a virtualenv and ``pip install .``s seedlint into it, then runs the
hook on the files given. try-repo always builds that environment in a temporary store of its
own (it ignores ``PRE_COMMIT_HOME``), so each try-repo test pays for one build (a few seconds when
pip can reach its indexes). They are skipped only when pip cannot get seedlint's build backend
or its dependency at all (no network and no local index holding them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

pre_commit_clientlib = pytest.importorskip("pre_commit.clientlib")

#: Variables that would point git (or pre-commit) at another repository or skip hooks, e.g. when
#: the tests themselves run inside a git hook.
_FOREIGN_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "SKIP")

BAD = """\
import numpy as np

x = np.random.rand()
print(x)
"""

GOOD = """\
import numpy as np

np.random.seed(0)
x = np.random.rand()
print(x)
"""

# one process per rank, every rank seeded alike: RNG301 (safe fix: worker_init_fn=seed_worker)
LOADER = """\
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, TensorDataset

dist.init_process_group("gloo")
torch.manual_seed(0)
ds = TensorDataset(torch.zeros(8))
loader = DataLoader(ds, batch_size=2, num_workers=2)
for batch in loader:
    print(batch)
"""

NOTEBOOK = """\
{"cells": [{"cell_type": "code", "execution_count": null, "id": "c0", "metadata": {},
  "outputs": [], "source": ["import random\\n", "random.seed(0)\\n", "print(random.random())\\n"]}],
 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
"""


# --- (a) the manifest ----------------------------------------------------------------------------


def test_manifest_is_valid_for_pre_commit():
    hooks = {hook["id"]: hook for hook in pre_commit_clientlib.load_manifest(str(MANIFEST))}
    assert set(hooks) == {"seedlint", "seedlint-fix"}
    assert hooks["seedlint"]["entry"] == "seedlint"
    assert hooks["seedlint-fix"]["entry"] == "seedlint --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "jupyter"]
        # seedlint judges the files it is given as one program: no parallel batches.
        assert hook["require_serial"] is True
        assert hook["pass_filenames"] is True
        assert hook["description"]
        assert hook["minimum_pre_commit_version"] != "0"


def test_manifest_passes_validate_manifest():
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "warning" not in out.lower(), out  # e.g. "Unexpected key(s) present"


# --- (b) the hooks, run by `pre-commit try-repo` -------------------------------------------------


@dataclass
class HookRepo:
    path: Path  #: what try-repo is given: this repository, or a snapshot of its work tree
    env: Mapping[str, str]  #: with PRE_COMMIT_HOME set to a directory shared by the module
    offline: str | None = None  #: why the hook environment cannot be built, once known


def _git(*args: str, cwd: Path, env: Mapping[str, str]) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True, timeout=120
    ).stdout


def _snapshot(dest: Path, env: Mapping[str, str]) -> Path:
    """A git repository whose one commit is this work tree as `git add -A` would commit it.

    try-repo commits uncommitted changes to tracked files itself, but not untracked files (a new
    ``.pre-commit-hooks.yaml`` before its first commit, say).
    """
    listing = _git(
        "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT, env=env
    )
    for rel in filter(None, listing.split("\0")):
        src = ROOT / rel
        if src.is_dir() or not os.path.lexists(src):  # a submodule; a deleted file
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / rel, follow_symlinks=False)
    _git("init", "-q", cwd=dest, env=env)
    _git("add", "-A", cwd=dest, env=env)
    _git("commit", "-q", "--no-gpg-sign", "--no-verify", "-m", "snapshot", cwd=dest, env=env)
    return dest


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_ENV}
    env.update(
        PRE_COMMIT_HOME=str(home),
        GIT_AUTHOR_NAME="seedlint tests",
        GIT_AUTHOR_EMAIL="tests@seedlint.invalid",
        GIT_COMMITTER_NAME="seedlint tests",
        GIT_COMMITTER_EMAIL="tests@seedlint.invalid",
    )
    inside = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if inside.returncode != 0 or Path(inside.stdout.strip()).resolve() != ROOT.resolve():
        pytest.skip("the repository root is not a git checkout")
    untracked = _git("ls-files", "--others", "--exclude-standard", cwd=ROOT, env=env)
    # A clean clone (CI) is given to try-repo as it is; a work tree with new files is snapshotted.
    path = ROOT if not untracked else _snapshot(tmp_path_factory.mktemp("seedlint-src"), env)
    return HookRepo(path=path, env=env)


def _cannot_get_dependencies(env: Mapping[str, str], tmp: Path) -> str | None:
    """pip's error when it cannot download the hook environment's build backend and dependency
    (any version) from the indexes it is configured with: the environment is offline."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(tmp)]
    proc = subprocess.run(
        [*cmd, "setuptools", "libcst"], env=env, capture_output=True, text=True, timeout=600
    )
    return None if proc.returncode == 0 else (proc.stdout + proc.stderr)[-2000:]


def _try_repo(
    hook_repo: HookRepo, workdir: Path, hook: str, files: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``pre-commit try-repo <repo> <hook> --files ...`` in a fresh git repository holding
    ``files``; skip if the hook environment cannot be built because pip is offline."""
    if hook_repo.offline:
        pytest.skip(hook_repo.offline)
    workdir.mkdir()
    _git("init", "-q", cwd=workdir, env=hook_repo.env)
    for name, text in files.items():
        (workdir / name).write_text(text)
    # Staged, as in a real commit: pre-commit notices a hook's edits through `git diff`, which
    # does not see untracked files (seedlint-fix would "pass" on them while editing them).
    _git("add", "--", *files, cwd=workdir, env=hook_repo.env)
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo.path), hook]
    cmd += ["--verbose", "--color", "never", "--files", *files]
    proc = subprocess.run(
        cmd, cwd=workdir, env=hook_repo.env, capture_output=True, text=True, timeout=600
    )
    if proc.returncode == 3:  # pre-commit's "An unexpected error has occurred", e.g. pip failed
        pip_error = _cannot_get_dependencies(hook_repo.env, workdir / "pip-probe")
        if pip_error:
            hook_repo.offline = f"cannot build the hook's virtualenv offline:\n{pip_error}"
            pytest.skip(hook_repo.offline)
    return proc


@pytest.mark.slow
def test_seedlint_hook_fails_on_an_unseeded_draw(hook_repo: HookRepo, tmp_path: Path):
    proc = _try_repo(hook_repo, tmp_path / "work", "seedlint", {"train.py": BAD})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Failed" in out, out
    assert "train.py:3:5: RNG002" in out, out
    assert "np.random.seed" not in (tmp_path / "work" / "train.py").read_text()  # lint only


@pytest.mark.slow
def test_seedlint_hook_passes_seeded_code(hook_repo: HookRepo, tmp_path: Path):
    files = {"train.py": GOOD, "explore.ipynb": NOTEBOOK, "NOTES.txt": "np.random.rand()\n"}
    proc = _try_repo(hook_repo, tmp_path / "work", "seedlint", files)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Passed" in out, out
    # types_or: the script and the notebook reach seedlint, the text file does not.
    assert "(2 files checked)" in out, out


@pytest.mark.slow
def test_seedlint_fix_hook_applies_the_safe_fix(hook_repo: HookRepo, tmp_path: Path):
    proc = _try_repo(hook_repo, tmp_path / "work", "seedlint-fix", {"train.py": LOADER})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "files were modified by this hook" in out, out
    fixed = (tmp_path / "work" / "train.py").read_text()
    assert "from seedlint_runtime import seed_worker" in fixed, fixed
    assert "DataLoader(ds, batch_size=2, num_workers=2, worker_init_fn=seed_worker)" in fixed, fixed
    # Nothing else changed: every other line of the original is still there.
    assert set(LOADER.splitlines()) - set(fixed.splitlines()) == {
        "loader = DataLoader(ds, batch_size=2, num_workers=2)"
    }, fixed
    compile(fixed, "train.py", "exec")
