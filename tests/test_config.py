"""``[tool.seedlint]`` configuration as the CLI finds and applies it (DESIGN.md, "Configuration").

Runs the command in-process (``seedlint.cli.main``) on real files in ``tmp_path``; a few cases run
the real executable to check that configuration errors are one line and no traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedlint.cli import main
from seedlint.config import Settings
from tests.conftest import run_cli, write_tree

# One finding each of RNG002 (line 9), RNG101 (12), RNG102 (13), RNG202 (14).
TRAIN = """\
import random

import numpy as np
import torch


def main():
    torch.manual_seed(0)
    idx = np.random.permutation(100)
    print(idx[:10])
    model = torch.nn.Linear(4, 2)
    rng = np.random.default_rng()
    aug = random.Random()
    torch.cuda.seed_all()
    return model, rng, aug


if __name__ == "__main__":
    main()
"""
TRAIN_CODES = ["RNG002", "RNG101", "RNG102", "RNG202"]

# Only a file-local finding (RNG101): for path-based settings.
LEAK = """\
import numpy as np

val_rng = np.random.default_rng()
"""

# A script that seeds through a project helper library seedlint cannot see.
HELPER_SEEDED = """\
import random

import numpy as np
import torch
from labtools import reseed


def main():
    reseed(0)
    x = np.random.rand(3)
    y = random.random()
    z = torch.randn(2)
    return x, y, z


if __name__ == "__main__":
    main()
"""

# A module with only function definitions: no entry point unless configured.
SWEEP = """\
import numpy as np


def run(trials=4):
    return np.random.rand(trials)
"""

# A library module with an import-time draw, used by a script that seeds in main().
SCOPE_FILES = {
    "pkg/__init__.py": "",
    "pkg/data.py": """\
        import numpy as np

        NOISE = np.random.randn(10)


        def jitter(x):
            return x + NOISE
        """,
    "train.py": """\
        import numpy as np

        from pkg.data import jitter


        def main():
            np.random.seed(0)
            print(jitter(1.0))


        if __name__ == "__main__":
            main()
        """,
}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        rc = main(list(args))
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return rc, out, err


def findings(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[tuple[str, int, str]]]:
    """(exit status, sorted [(path, line, code)]) of ``seedlint --format json ARGS``."""
    rc, out, err = cli(capsys, "--format", "json", *args)
    assert rc in (0, 1), err
    return rc, sorted((d["path"], d["line"], d["code"]) for d in json.loads(out))


def codes(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    return sorted(code for _, _, code in findings(capsys, *args)[1])


def pyproject(body: str) -> str:
    return "[project]\nname = 'exp'\n\n[tool.seedlint]\n" + body


def config_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run and expect a configuration error: exit 2, nothing on stdout, one line on stderr."""
    rc, out, err = cli(capsys, *args)
    assert rc == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- finding the configuration ------------------------------------------------------------


def test_pyproject_in_linted_folder(proj: Path, capsys) -> None:
    write_tree(
        proj, {"exp/train.py": TRAIN, "exp/pyproject.toml": pyproject('select = ["RNG1"]\n')}
    )
    assert codes(capsys, "exp") == ["RNG101", "RNG102"]
    assert codes(capsys, "exp/train.py") == ["RNG101", "RNG102"]


def test_pyproject_in_working_directory_when_no_path_given(proj: Path, capsys) -> None:
    write_tree(
        proj, {"train.py": TRAIN, "pyproject.toml": pyproject('ignore = ["RNG0", "RNG2"]\n')}
    )
    assert codes(capsys) == ["RNG101", "RNG102"]


def test_pyproject_in_parent_folder(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {"repo/pyproject.toml": pyproject('select = ["RNG2"]\n'), "repo/src/exp/train.py": TRAIN},
    )
    assert codes(capsys, "repo/src/exp") == ["RNG202"]


def test_nearer_pyproject_without_table_is_skipped(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "repo/pyproject.toml": pyproject('select = ["RNG2"]\n'),
            "repo/exp/pyproject.toml": "[project]\nname = 'exp'\n\n[tool.ruff]\nline-length = 100\n",
            "repo/exp/train.py": TRAIN,
        },
    )
    assert codes(capsys, "repo/exp") == ["RNG202"]


def test_nearest_table_wins(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "repo/pyproject.toml": pyproject('select = ["RNG2"]\n'),
            "repo/exp/pyproject.toml": pyproject('select = ["RNG0"]\n'),
            "repo/exp/train.py": TRAIN,
        },
    )
    assert codes(capsys, "repo/exp") == ["RNG002"]


def test_real_process_finds_config_from_cwd(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"pyproject.toml": pyproject('select = ["RNG10"]\n'), "scripts/train.py": TRAIN},
    )
    res = run_cli(cwd=tmp_path / "scripts")
    assert res.returncode == 1, res.stderr
    assert [ln.split(" ")[1] for ln in res.stdout.splitlines()] == ["RNG101", "RNG102"]
    assert res.stdout.startswith("train.py:12:11: RNG101 ")


# --- selection keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('select = ["RNG1"]\n', ["RNG101", "RNG102"]),
        ('select = "RNG1"\n', ["RNG101", "RNG102"]),  # a single string is read as a list of one
        ('select = ["rng202"]\n', ["RNG202"]),
        # a prefix selects every rule it covers, the off-by-default RNG502 included
        ('select = ["RNG"]\n', [*TRAIN_CODES, "RNG502"]),
        ('extend-select = ["RNG5"]\n', [*TRAIN_CODES, "RNG502"]),
        ('select = ["RNG"]\nignore = ["RNG5"]\n', TRAIN_CODES),
        ('ignore = ["RNG"]\nextend-select = ["RNG502"]\n', ["RNG502"]),
        ("select = []\n", []),
        ('ignore = ["RNG101", "RNG2"]\n', ["RNG002", "RNG102"]),
        ('select = ["RNG0"]\nextend-select = ["RNG202"]\n', ["RNG002", "RNG202"]),
        ('extend-select = ["RNG2"]\nignore = ["RNG00"]\n', ["RNG101", "RNG102", "RNG202"]),
        ('select = ["RNG1"]\nignore = ["RNG102"]\n', ["RNG101"]),
    ],
)
def test_selection_keys(proj: Path, capsys, body: str, expected: list[str]) -> None:
    write_tree(proj, {"train.py": TRAIN, "pyproject.toml": pyproject(body)})
    assert codes(capsys, "train.py") == sorted(expected)


# Settings.enabled on its own: two default-off rules (RNG305 stands for any later one).
RULES = {"RNG002": True, "RNG301": True, "RNG305": False, "RNG501": True, "RNG502": False}


@pytest.mark.parametrize(
    ("select", "ignore", "extend_select", "expected"),
    [
        (None, (), (), {"RNG002", "RNG301", "RNG501"}),  # the rules on by default
        (("RNG",), (), (), set(RULES)),  # a prefix selects default-off rules too
        (("RNG5",), (), (), {"RNG501", "RNG502"}),
        (("RNG502",), (), (), {"RNG502"}),
        (("RNG3",), (), (), {"RNG301", "RNG305"}),
        (None, (), ("RNG502",), {"RNG002", "RNG301", "RNG501", "RNG502"}),
        (None, (), ("RNG5",), {"RNG002", "RNG301", "RNG501", "RNG502"}),
        (None, (), ("RNG",), set(RULES)),
        (("RNG",), ("RNG5",), (), {"RNG002", "RNG301", "RNG305"}),
        (None, ("RNG",), ("RNG502",), {"RNG502"}),
        (None, ("RNG5",), (), {"RNG002", "RNG301"}),
        (("RNG",), ("RNG",), (), set()),  # ignore wins ties
        (("RNG502",), ("RNG502",), (), set()),
        (("RNG5",), ("RNG50",), ("RNG502",), {"RNG502"}),  # the most specific selector wins
        ((), (), (), set()),
        ((), (), ("RNG305",), {"RNG305"}),
    ],
)
def test_settings_enabled(
    select: tuple[str, ...] | None,
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    expected: set[str],
) -> None:
    settings = Settings(select=select, ignore=ignore, extend_select=extend_select)
    assert settings.enabled(RULES, RULES) == expected


def test_command_line_select_replaces_config_select(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN, "pyproject.toml": pyproject('select = ["RNG1"]\n')})
    assert codes(capsys, "--select", "RNG2", "train.py") == ["RNG202"]


def test_command_line_ignore_adds_to_config_ignore(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN, "pyproject.toml": pyproject('ignore = ["RNG1"]\n')})
    assert codes(capsys, "--ignore", "RNG2", "train.py") == ["RNG002"]


def test_command_line_extend_select_adds_to_config_select(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN, "pyproject.toml": pyproject('select = ["RNG1"]\n')})
    assert codes(capsys, "--extend-select", "RNG0", "train.py") == ["RNG002", "RNG101", "RNG102"]


# --- per-file-ignores, exclude, extend-exclude ------------------------------------------------


def test_per_file_ignores_globs(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "pyproject.toml": pyproject(
                "\n[tool.seedlint.per-file-ignores]\n"
                '"scripts/*.py" = ["RNG1"]\n'
                '"*_smoke.py" = ["RNG101"]\n'
                '"notebooks/" = ["RNG"]\n'
            ),
            "scripts/prep.py": LEAK,
            "tests/data_smoke.py": LEAK,
            "notebooks/explore.py": LEAK,
            "src/prep.py": LEAK,
            "train.py": TRAIN,
        },
    )
    rc, found = findings(capsys, ".")
    assert rc == 1
    paths = sorted({p for p, _, _ in found})
    assert paths == ["src/prep.py", "train.py"]


def test_per_file_ignores_keep_other_codes(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "pyproject.toml": pyproject('per-file-ignores = { "train.py" = ["RNG0", "RNG202"] }\n'),
            "train.py": TRAIN,
        },
    )
    assert codes(capsys, "train.py") == ["RNG101", "RNG102"]


def test_per_file_ignores_relative_to_config_folder(proj: Path, monkeypatch, capsys) -> None:
    write_tree(
        proj,
        {
            "repo/pyproject.toml": pyproject('per-file-ignores = { "scripts/*" = ["RNG101"] }\n'),
            "repo/scripts/prep.py": LEAK,
            "repo/src/prep.py": LEAK,
        },
    )
    assert [p for p, _, _ in findings(capsys, "repo")[1]] == ["repo/src/prep.py"]
    monkeypatch.chdir(proj / "repo" / "scripts")
    assert findings(capsys, ".") == (0, [])
    monkeypatch.chdir(proj / "repo")
    assert findings(capsys, "scripts/prep.py") == (0, [])


def test_exclude_replaces_and_extend_exclude_adds(proj: Path, capsys) -> None:
    files = {
        "train.py": LEAK,
        "legacy/old_train.py": LEAK,
        "experiments/ablation/run.py": LEAK,
        "model_old.py": LEAK,
        ".venv/lib/site.py": LEAK,
    }
    write_tree(
        proj,
        {
            **files,
            "pyproject.toml": pyproject(
                'extend-exclude = ["legacy", "experiments/*", "*_old.py"]\n'
            ),
        },
    )
    # defaults still apply (.venv), plus the extra patterns
    assert [p for p, _, _ in findings(capsys, ".")[1]] == ["train.py"]
    (proj / "pyproject.toml").write_text(pyproject('exclude = ["legacy"]\n'))
    # `exclude` replaces the defaults: .venv is linted now, legacy/ is not
    assert [p for p, _, _ in findings(capsys, ".")[1]] == [
        ".venv/lib/site.py",
        "experiments/ablation/run.py",
        "model_old.py",
        "train.py",
    ]


def test_excluded_everything_is_no_python_files(proj: Path, capsys) -> None:
    write_tree(
        proj, {"exp/train.py": LEAK, "pyproject.toml": pyproject('extend-exclude = ["exp"]\n')}
    )
    rc, _out, err = cli(capsys, ".")
    assert rc == 2
    assert "no Python files" in err


# --- seed-functions, entry-points, scope ------------------------------------------------------


def test_seed_functions(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": HELPER_SEEDED})
    rc, found = findings(capsys, "train.py")
    assert (rc, found) == (
        1,
        [("train.py", 10, "RNG002"), ("train.py", 11, "RNG001"), ("train.py", 12, "RNG003")],
    )
    (proj / "pyproject.toml").write_text(pyproject('seed-functions = ["labtools.reseed"]\n'))
    assert findings(capsys, "train.py") == (0, [])


@pytest.mark.parametrize(
    "imports",
    [
        ("import labtools\n", "labtools.setup_run(0)"),
        ("from labtools import setup_run as boot\n", "boot(0)"),
    ],
    ids=["module-attribute", "aliased-import"],
)
def test_seed_functions_through_aliases(proj: Path, capsys, imports: tuple[str, str]) -> None:
    import_line, call = imports
    src = HELPER_SEEDED.replace("from labtools import reseed\n", import_line).replace(
        "reseed(0)", call
    )
    write_tree(proj, {"train.py": src})
    assert codes(capsys, "train.py") == ["RNG001", "RNG002", "RNG003"]
    (proj / "pyproject.toml").write_text(pyproject('seed-functions = ["labtools.setup_run"]\n'))
    assert codes(capsys, "train.py") == []
    # another helper of the same library is not a seeder
    (proj / "pyproject.toml").write_text(pyproject('seed-functions = ["labtools.other"]\n'))
    assert codes(capsys, "train.py") == ["RNG001", "RNG002", "RNG003"]


def test_entry_points_glob(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {"jobs/sweep.py": SWEEP, "train.py": TRAIN},
    )
    assert [p for p, _, _ in findings(capsys, ".")[1] if p.startswith("jobs")] == []
    (proj / "pyproject.toml").write_text(pyproject('entry-points = ["jobs/*.py"]\n'))
    assert ("jobs/sweep.py", 5, "RNG002") in findings(capsys, ".")[1]


def test_scope_key(proj: Path, capsys) -> None:
    write_tree(proj, SCOPE_FILES)
    assert findings(capsys, ".") == (1, [("pkg/data.py", 3, "RNG002")])
    (proj / "pyproject.toml").write_text(pyproject('scope = "file"\n'))
    assert findings(capsys, ".") == (0, [])
    # the command line overrides the file
    assert findings(capsys, "--scope", "project", ".") == (1, [("pkg/data.py", 3, "RNG002")])
    (proj / "pyproject.toml").write_text(pyproject('scope = "project"\n'))
    assert findings(capsys, "--scope", "file", ".") == (0, [])


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('selct = ["RNG1"]\n', "selct"),
        ('exclude-extend = ["x"]\n', "exclude-extend"),
        ("line-length = 100\n", "line-length"),
    ],
)
def test_unknown_key(proj: Path, capsys, body: str, named: str) -> None:
    write_tree(proj, {"train.py": TRAIN, "pyproject.toml": pyproject(body)})
    line = config_error(capsys, "train.py")
    assert f"'{named}'" in line
    assert "pyproject.toml" in line


def test_unknown_key_suggests_the_right_one(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN, "pyproject.toml": pyproject('selct = ["RNG1"]\n')})
    assert "select" in config_error(capsys, "train.py").split("'selct'", 1)[1]


@pytest.mark.parametrize(
    ("body", "key", "code"),
    [
        ('select = ["RNG777"]\n', "select", "RNG777"),
        ('ignore = ["E501"]\n', "ignore", "E501"),
        ('extend-select = ["RNG7"]\n', "extend-select", "RNG7"),
        ('per-file-ignores = { "tests/*" = ["XYZ1"] }\n', "per-file-ignores", "XYZ1"),
    ],
)
def test_unknown_code_in_config(proj: Path, capsys, body: str, key: str, code: str) -> None:
    write_tree(proj, {"train.py": TRAIN, "pyproject.toml": pyproject(body)})
    line = config_error(capsys, "train.py")
    assert key in line and code in line


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("select = 5\n", "select"),
        ("select = [1, 2]\n", "select"),
        ("ignore = { RNG1 = true }\n", "ignore"),
        ('per-file-ignores = ["tests/*"]\n', "per-file-ignores"),
        ('per-file-ignores = { "tests/*" = 3 }\n', "per-file-ignores"),
        ("exclude = 3\n", "exclude"),
        ("extend-exclude = true\n", "extend-exclude"),
        ("seed-functions = 3\n", "seed-functions"),
        ('seed-functions = ["labtools reseed"]\n', "seed-functions"),
        ('seed-functions = [""]\n', "seed-functions"),
        ("entry-points = [1]\n", "entry-points"),
        ('scope = "files"\n', "scope"),
        ("scope = 1\n", "scope"),
    ],
)
def test_wrong_value_types(proj: Path, capsys, body: str, key: str) -> None:
    write_tree(proj, {"train.py": TRAIN, "pyproject.toml": pyproject(body)})
    assert key in config_error(capsys, "train.py")


def test_tool_seedlint_not_a_table(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN, "pyproject.toml": "[tool]\nseedlint = 3\n"})
    assert "[tool.seedlint]" in config_error(capsys, "train.py")


def test_invalid_toml_real_process(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"train.py": TRAIN, "pyproject.toml": '[tool.seedlint\nselect = ["RNG1"]\n'}
    )
    res = run_cli("train.py", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stdout == ""
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "pyproject.toml" in lines[0] and "TOML" in lines[0]


def test_duplicate_table_is_invalid_toml(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "train.py": TRAIN,
            "pyproject.toml": pyproject('select = ["RNG1"]\n\n[tool.seedlint]\nignore = []\n'),
        },
    )
    assert "TOML" in config_error(capsys, "train.py")


def test_non_utf8_pyproject_real_process(tmp_path: Path) -> None:
    write_tree(tmp_path, {"train.py": TRAIN})
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.seedlint]\nselect = ["RNG1"]  # caf\xe9\n')
    res = run_cli("train.py", cwd=tmp_path)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "pyproject.toml" in res.stderr


# --- --config and --isolated ------------------------------------------------------------------


def test_config_file_bare_table(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "train.py": TRAIN,
            "pyproject.toml": pyproject('select = ["RNG1"]\n'),
            "ci/seedlint.toml": 'select = ["RNG2"]\n',
        },
    )
    assert codes(capsys, "--config", "ci/seedlint.toml", "train.py") == ["RNG202"]


def test_config_file_pyproject(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {"exp/train.py": TRAIN, "other/pyproject.toml": pyproject('ignore = ["RNG0", "RNG1"]\n')},
    )
    assert codes(capsys, "--config", "other/pyproject.toml", "exp") == ["RNG202"]


def test_config_file_errors(proj: Path, capsys) -> None:
    write_tree(
        proj,
        {
            "train.py": TRAIN,
            "plain/pyproject.toml": "[project]\nname = 'x'\n",
            "bad.toml": 'select = ["RNG1"\n',
            "typo.toml": 'selct = ["RNG1"]\n',
        },
    )
    assert "missing.toml" in config_error(capsys, "--config", "missing.toml", "train.py")
    assert "[tool.seedlint]" in config_error(capsys, "--config", "plain/pyproject.toml", "train.py")
    assert "bad.toml" in config_error(capsys, "--config", "bad.toml", "train.py")
    assert "'selct'" in config_error(capsys, "--config", "typo.toml", "train.py")


def test_isolated_ignores_pyproject(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN, "pyproject.toml": pyproject('select = ["RNG2"]\n')})
    assert codes(capsys, "train.py") == ["RNG202"]
    assert codes(capsys, "--isolated", "train.py") == TRAIN_CODES
    # even a broken one
    (proj / "pyproject.toml").write_text(pyproject('selct = "RNG2"\n'))
    assert codes(capsys, "--isolated", "train.py") == TRAIN_CODES
    (proj / "pyproject.toml").write_text("[tool.seedlint\n")
    assert codes(capsys, "--isolated", "train.py") == TRAIN_CODES


def test_isolated_still_takes_command_line_options(proj: Path, capsys) -> None:
    write_tree(proj, {"train.py": TRAIN, "pyproject.toml": pyproject('select = ["RNG2"]\n')})
    assert codes(capsys, "--isolated", "--select", "RNG10", "train.py") == ["RNG101", "RNG102"]


# --- stdin and configuration (real process) ---------------------------------------------------


def test_stdin_uses_config_for_its_filename(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"pyproject.toml": pyproject('per-file-ignores = { "scripts/*" = ["RNG101"] }\n')},
    )
    res = run_cli("--stdin-filename", "scripts/prep.py", "-", cwd=tmp_path, stdin=LEAK)
    assert (res.returncode, res.stdout) == (0, ""), res.stderr
    res = run_cli("--stdin-filename", "src/prep.py", "-", cwd=tmp_path, stdin=LEAK)
    assert res.returncode == 1
    assert res.stdout.startswith("src/prep.py:3:11: RNG101 ")


# --- this repository's own configuration ------------------------------------------------------


def test_repository_root_is_clean(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """`seedlint` in this repository's root (README, "Run the tests"): its `[tool.seedlint]`
    skips the fixtures, so what is left is seedlint's own code and tests, with nothing to
    report; the fixtures are still linted when given explicitly."""
    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)
    assert main(["--no-cache", "--format", "json"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    assert main(["--no-cache", "--format", "json", "examples"]) == 1
    assert json.loads(capsys.readouterr().out)
