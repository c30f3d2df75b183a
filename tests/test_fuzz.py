"""Fuzzing: generated and mutated programs never make the linter raise, and ``--fix`` on them
always gives parseable, idempotent output.

* ``hypothesmith.from_grammar()`` / ``from_node()`` programs (arbitrary Python);
* ML programs assembled from randomness-API vocabulary (imports, draws, seeds, DataLoaders,
  CUDA tensors, ``cudnn.benchmark``, the rules' own examples, generated expressions and
  statements) nested in random ``def`` / ``if`` / ``for`` / ``class`` … blocks with random
  indentation, line endings and layouts, so that the rules fire and the fixes run;
* mutations of real files (``examples/``, ``tests/corpus/``, ``tests/data/``): deleted,
  duplicated and swapped lines, deleted and duplicated tokens, re-indented lines, truncation,
  inserted bytes.

Every program is linted in-process with every rule on (default-off ones too), in the project
scope and the file scope: no exception may escape and ``report.errors`` (internal errors) must stay
empty. Fixes go the CLI's way (``fixes.group(..., unsafe=True)`` → ``fixes.fix_file``); a
``FixError`` means "not fixed" and is allowed, but fixed output must parse (libcst and
``compile()``) and a second lint + fix must change nothing.

Budget: a small derandomized run by default (CI); ``SEEDLINT_FUZZ_EXAMPLES=N`` raises every
test's ``max_examples`` to N (random seeds), e.g. for the one-off long run::

    SEEDLINT_FUZZ_EXAMPLES=3000 SEEDLINT_FUZZ_STATS=/tmp/stats pytest -p no:cacheprovider \\
        -n 2 tests/test_fuzz.py --hypothesis-show-statistics

(``SEEDLINT_FUZZ_STATS=DIR``: exact counts per test, such as programs, findings and fixes
applied, written to ``DIR/<pid>.json``.)
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import tempfile
import textwrap
import tokenize
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Optional

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from seedlint import cli, fixes
from seedlint.config import Settings
from seedlint.engine.runner import SourceFile, lint
from seedlint.findings import Report
from seedlint.rules.base import all_rules
from tests import conftest

ROOT = Path(__file__).resolve().parent.parent
RULES = all_rules()
CODES = frozenset(RULES)  # every rule, the default-off ones included
PROJECT = Settings()
FILE = Settings(scope="file")
PATH = os.path.join("fuzz", "train.py")  # never read: the source is given as data
BOM = b"\xef\xbb\xbf"
pytestmark = [
    # generated code says odd things ("'int' object is not callable; perhaps you missed a comma?")
    pytest.mark.filterwarnings("ignore::SyntaxWarning"),
    pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning"),
    # the engine raises the recursion limit on its first file, inside the first test
    pytest.mark.filterwarnings("ignore:The recursion limit will not be reset"),
]

# --- budgets ------------------------------------------------------------------------------------

LONG = int(os.environ.get("SEEDLINT_FUZZ_EXAMPLES", "0") or 0)
_COMMON = {
    "deadline": None,
    "database": None,  # no example database (.hypothesis/ is gitignored anyway)
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
    "print_blob": True,
}
settings.register_profile("seedlint-fuzz-ci", derandomize=True, **_COMMON)
settings.register_profile("seedlint-fuzz-long", derandomize=False, **_COMMON)
PROFILE = settings.get_profile("seedlint-fuzz-long" if LONG else "seedlint-fuzz-ci")


def budget(ci: int, long_share: float = 1.0) -> settings:
    """``ci`` examples by default; ``SEEDLINT_FUZZ_EXAMPLES`` × ``long_share`` when set."""
    n = max(1, int(LONG * long_share)) if LONG else ci
    return settings(PROFILE, max_examples=n)


# --- counts for the long run's report: SEEDLINT_FUZZ_STATS=DIR writes DIR/<pid>.json -------------

STATS_DIR = os.environ.get("SEEDLINT_FUZZ_STATS")
COUNTS: Counter[str] = Counter()


def note(label: str) -> None:
    """A hypothesis event (``--hypothesis-show-statistics``), counted per test when asked."""
    with contextlib.suppress(InvalidArgument):  # outside a hypothesis test
        event(label)
    if STATS_DIR:
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[-1].split(" ")[0]
        COUNTS[f"{test}: {label}"] += 1


@pytest.fixture(scope="module", autouse=True)
def _write_counts() -> Iterator[None]:
    yield
    if STATS_DIR and COUNTS:
        Path(STATS_DIR, f"{os.getpid()}.json").write_text(json.dumps(COUNTS, indent=1))


# --- checks shared by every strategy ------------------------------------------------------------


def show(data: bytes) -> str:
    return "\n--- program ---\n" + data.decode("utf-8", "replace") + "\n--- end ---"


def lint_files(files: Sequence[SourceFile], config: Settings) -> Report:
    report = lint(files, config, CODES)
    assert not report.errors, f"internal errors: {report.errors}" + "".join(
        show(f.data or b"") for f in files
    )
    return report


def _accepted(data: bytes) -> tuple[Optional[bool], bool]:
    """Does libcst parse ``data`` (None: it cannot tell: too deep, undecodable), does CPython?"""
    libcst_parses: Optional[bool]
    try:
        cst.parse_module(data)
        libcst_parses = True
    except cst.ParserSyntaxError:
        libcst_parses = False
    except Exception:  # RecursionError, decoding errors: the linter reports RNG999 its own way
        libcst_parses = None
    try:
        quiet_compile(data)
        cpython_parses = True
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        cpython_parses = False
    return libcst_parses, cpython_parses


def lint_one(data: bytes, config: Settings, path: str = PATH) -> Report:
    """Lint ``data`` as the file ``path``: no internal error, findings in the file, and RNG999
    exactly when it is due: a file neither parser accepts is reported, a file both accept is
    not (unless it is too deep or too large for seedlint)."""
    report = lint_files([SourceFile(path, os.path.abspath(path), data)], config)
    libcst_parses, cpython_parses = _accepted(data)
    syntax = [f for f in report.findings if f.code == "RNG999"]
    if libcst_parses is False and not cpython_parses and not syntax:
        # a bare noqa comment on the line of the syntax error silences RNG999 (see the
        # regression test below); without noqa it must be there
        unsilenced = lint(
            [SourceFile(path, os.path.abspath(path), data)], config, CODES, apply_noqa=False
        )
        assert any(f.code == "RNG999" for f in unsilenced.findings), (
            "neither libcst nor CPython parses the file, but no RNG999" + show(data)
        )
        note("RNG999 silenced by # noqa")
    if syntax and libcst_parses and cpython_parses:
        assert "too deeply" in syntax[0].message or "too large" in syntax[0].message, syntax[
            0
        ].message + show(data)
    lines = len(data.splitlines()) + 1
    for f in report.findings:
        assert f.code in CODES and f.path == path, f
        assert 1 <= f.span.line <= lines, f"{f} outside the file ({lines} lines)" + show(data)
    return report


def lint_both(data: bytes) -> Report:
    """Lint in the file scope, then in the project scope (returned: what the CLI uses)."""
    lint_one(data, FILE)
    report = lint_one(data, PROJECT)
    if report.findings:
        note("findings")
        if any(f.code == "RNG999" for f in report.findings):
            note("RNG999")
    return report


def quiet_compile(source: str | bytes, mode: str = "exec") -> None:
    """``compile()`` to an AST, without SyntaxWarnings about generated code."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compile(source, "<fuzz>", mode, ast.PyCF_ONLY_AST, dont_inherit=True)


def parses(data: bytes) -> None:
    cst.parse_module(data)
    quiet_compile(data)


def check_fix(data: bytes, report: Report, path: str = PATH) -> Optional[bytes]:
    """Fix as ``seedlint --fix --unsafe-fixes`` does; the fixed output must parse, and linting
    and fixing it again must change nothing. Returns the fixed source (None: not changed)."""
    groups = fixes.group(report.findings, unsafe=True)
    if not groups:
        return None
    assert set(groups) == {path}, groups
    note("has fixes")
    try:
        new = fixes.fix_file(path, data, groups[path])
    except fixes.FixError as exc:
        note(f"fix refused: {str(exc).split(':')[0][:40]}")
        return None
    if new is None:
        note("fixes changed nothing")
        return None
    note("fixed")
    parses(new)
    again = lint_one(new, PROJECT, path)
    second = fixes.group(again.findings, unsafe=True)
    if not second:
        return new
    note("fixable findings left after fixing")
    for f in again.findings:
        if f.fix is not None and fixes.applicable(f, unsafe=True):
            place = f"({f.fix.data[0]})" if f.fix.kind == "seed-entry" and f.fix.data else ""
            note(f"left after fixing: {f.code} {f.fix.kind}{place}")
    try:
        twice = fixes.fix_file(path, new, second[path])
    except fixes.FixError as exc:  # pragma: no cover - a failure
        raise AssertionError(f"the fixed output cannot be fixed again: {exc}" + show(new)) from exc
    assert twice is None or twice == new, (
        "fixing is not idempotent" + show(data) + "\n--- fixed once ---\n" + new.decode()
    )
    return new


# --- 1, 2: hypothesmith ---------------------------------------------------------------------------


@budget(ci=100)
@given(hypothesmith.from_grammar())
def test_grammar_programs(program: str) -> None:
    note("program")
    data = program.encode("utf-8", "surrogatepass")
    check_fix(data, lint_both(data))


@budget(ci=25)
@given(hypothesmith.from_node())
def test_cst_programs(program: str) -> None:
    note("program")
    data = program.encode("utf-8", "surrogatepass")
    check_fix(data, lint_both(data))


# --- 3: ML programs -------------------------------------------------------------------------------

IMPORTS = [
    "import random",
    "import random as rnd",
    "from random import shuffle, choice, randint",
    "import numpy as np",
    "import numpy",
    "from numpy import random as npr",
    "from numpy.random import default_rng, RandomState, Generator, PCG64",
    "import torch",
    "import torch.nn as nn",
    "import torch.nn.functional as F",
    "from torch import randn, rand, Generator as TG",
    "from torch.utils.data import DataLoader, Dataset, IterableDataset, random_split",
    "from torch.utils.data import DataLoader as DL, RandomSampler, WeightedRandomSampler",
    "import torch.utils.data as tud",
    "from torch.utils import data",
    "from torch.backends import cudnn",
    "import time",
    "import os, sys",
    "import uuid, secrets",
    "from datetime import datetime",
    "import pytorch_lightning as pl",
    "from lightning.pytorch import seed_everything",
    "from transformers import set_seed",
    "import seedlint_runtime",
    "import seedlint_runtime as sr",
    "from seedlint_runtime import seed_everything",
    "from seedlint_runtime import seed_worker, seeded_generator as sg",
    "from seedlint_runtime import derive_seed",
    "from __future__ import annotations",
    "from . import helpers",
    "from .helpers import make_loader",
]

SEEDS = [
    "0",
    "42",
    "seed",
    "args.seed",
    "None",
    "int(time.time())",
    "time.time_ns() % 2**32",
    "os.getpid()",
    "hash('run-1')",
    "hash(f'{name}')",
    "uuid.uuid4().int % 1000",
    "secrets.randbits(32)",
    "int.from_bytes(os.urandom(4), 'little')",
    "datetime.now().microsecond",
    "random.randint(0, 10000)",
    "seed + rank",
]

SIMPLE = [
    "items = list(range(10))",
    "random.shuffle(items)",
    "x = random.random()",
    "rnd.choice(items)",
    "shuffle(items)",
    "print(randint(0, 9), choice('ab'))",
    "r = random.Random()",
    "r = random.Random(1)",
    "r = random.Random(None)",
    "random.seed()",
    "idx = np.random.permutation(10)",
    "noise = np.random.randn(3, 4)",
    "npr.rand()",
    "numpy.random.shuffle(items)",
    "rng = np.random.default_rng()",
    "rng = default_rng(0)",
    "legacy = RandomState(None)",
    "modern = Generator(PCG64())",
    "x = torch.randn(8, 4)",
    "x = randn(3) + rand(3)",
    "y = torch.randperm(10)[:3]",
    "w = torch.empty(3, 3, device='cuda').normal_()",
    "b = torch.cuda.FloatTensor(3).uniform_()",
    "g = torch.Generator()",
    "g = TG(device='cuda')",
    "g.manual_seed(0)",
    "g.seed()",
    "torch.seed()",
    "torch.cuda.seed_all()",
    "torch.cuda.manual_seed_all(0)",
    "torch.use_deterministic_algorithms(True)",
    "torch.backends.cudnn.benchmark = True",
    "torch.backends.cudnn.deterministic = False",
    "cudnn.benchmark = True",
    "cudnn.benchmark = args.benchmark",
    "torch.backends.cudnn.benchmark = cudnn.deterministic = True",
    "seed_everything(0)",
    "seed_everything()",
    "pl.seed_everything(42)",
    "sr.seed_everything(3)",
    "seedlint_runtime.seed_everything(0)",
    "set_seed(1)",
    "a, b = random_split(ds, [0.9, 0.1])",
    "s = RandomSampler(ds)",
    "s = tud.RandomSampler(ds, replacement=True)",
    "tud.WeightedRandomSampler(weights, len(ds), True, None)",
    "out = F.dropout(x, 0.1, self.training)",
    "nn.init.xavier_uniform_(self.fc.weight)",
    "model = nn.Linear(4, 2).cuda()",
    "self.fc = nn.Linear(4, 2)",
    "self.rng = np.random.default_rng(0)",
    "self.rng = random.Random(1234)",
    "self.g = torch.Generator().manual_seed(0)",
    "x = self.rng.integers(0, 32)",
    "return self.rng.random()",
    "return DataLoader(ds, shuffle=True)",
    "yield RNG.random()",
    "RNG = random.Random(1234)",
    "device = 'cuda' if torch.cuda.is_available() else 'cpu'",
    "global RNG",
    "main()",
    "train(args)",
    "loader = make_loader(ds)",
    "helpers.run()",
    "pass",
    "del g",
    "seed = 0",
    "seed = hash('exp')",
    "f = lambda: random.random()",
    "xs = [random.random() for _ in range(3)]",
    "print(random.random(), file=sys.stderr)",
    "random = np.random.default_rng(0)",
    "np = None",
    "random.shuffle(items)  # noqa",
    "x = torch.randn(3, device='cuda')  # noqa: RNG401",
    "loader = DataLoader(ds, num_workers=2)  # noqa: RNG301",
    "for x in loader: pass",
    "return",
    "continue",
    "assert torch.rand(1) < 2",
    "raise SystemExit(main())",
]

SEED_CALLS = [
    "random.seed({})",
    "np.random.seed({})",
    "numpy.random.seed({})",
    "torch.manual_seed({})",
    "torch.cuda.manual_seed({})",
    "torch.random.manual_seed({})",
    "rng = np.random.default_rng({})",
    "r = random.Random({})",
    "g = torch.Generator().manual_seed({})",
    "g.manual_seed({})",
    "seed_everything({})",
    "pl.seed_everything({})",
    "set_seed({})",
    "seed = {}",
]

LOADERS = [
    "DataLoader",
    "DL",
    "tud.DataLoader",
    "data.DataLoader",
    "torch.utils.data.DataLoader",
    "random_split",
    "tud.RandomSampler",
    "RandomSampler",
    "WeightedRandomSampler",
]
LOADER_POSITIONAL = ["ds", "64", "True", "False", "None", "sampler", "8", "0", "args.bs"]
LOADER_KEYWORDS = {
    "batch_size": ["32", "args.batch_size"],
    "shuffle": ["True", "False", "args.shuffle", "not eval_mode"],
    "num_workers": ["4", "0", "args.workers", "os.cpu_count()"],
    "generator": ["g", "None", "torch.Generator()", "sg()"],
    "worker_init_fn": ["None", "seed_worker", "init_fn", "lambda i: np.random.seed(i)"],
    "sampler": ["s", "None"],
    "persistent_workers": ["True"],
    "pin_memory": ["True"],
    "drop_last": ["True"],
    "replacement": ["True"],
    "num_samples": ["10"],
}

DRAWS = [
    "torch.randn",
    "torch.rand",
    "torch.randint",
    "torch.randperm",
    "torch.normal",
    "torch.randn_like",
    "torch.rand_like",
    "torch.randint_like",
    "torch.bernoulli",
    "torch.multinomial",
    "randn",
    "torch.empty",
]
DRAW_POSITIONAL = ["3", "4", "(2, 2)", "x", "0, 10, (4,)", "*shape", "16, 100"]
DRAW_KEYWORDS = {
    "device": ["'cuda'", '"cuda:0"', "device", "torch.device('cuda', 0)", "args.device", "'cpu'"],
    "requires_grad": ["True", "False", "flag"],
    "dtype": ["torch.float16"],
    "generator": ["g", "None"],
    "out": ["buf"],
    "pin_memory": ["True"],
}

HEADERS = [
    "def main():",
    "def train(args):",
    "def make_loader(ds, args=None):",
    "def build(self, *a, **kw):",
    "def run(random, np=None):",
    "def __getitem__(self, i):",
    "def __iter__(self):",
    "def __init__(self):",
    "def forward(self, x):",
    "async def serve():",
    "@torch.no_grad()\ndef evaluate(model):",
    "@staticmethod\ndef helper(x):",
    'if __name__ == "__main__":',
    "if __name__ == '__main__':",
    "if args.debug:",
    "if torch.cuda.is_available():",
    "for epoch in range(3):",
    "for i, batch in enumerate(loader):",
    "while True:",
    "with torch.no_grad():",
    "try:",
    "class Crops(Dataset):",
    "class Stream(torch.utils.data.IterableDataset):",
    "class Net(nn.Module):",
    "class Trainer:",
    "class Cfg(object):",
]

INDENTS = [" ", "  ", "    ", "\t", "        "]


def _layout(args: list[str], style: int, comment: str) -> str:
    if not args:
        return "()"
    if style == 0:
        return "(" + ", ".join(args) + ")"
    if style == 1:  # one per line, trailing comma
        return "(\n" + "".join(f"    {a},{comment}\n" for a in args) + ")"
    if style == 2:  # one per line, no trailing comma
        return "(\n    " + f",{comment}\n    ".join(args) + "\n)"
    if style == 3:  # hanging after the first
        return "(" + ",\n        ".join(args) + ")"
    return "(  " + " ,  ".join(args) + " ,)"  # odd spacing, trailing comma


# Generated code goes where these markers are, once the program is laid out: a parenthesised
# expression (a call argument, a seed) or a whole statement.
EXPR_MARK, STMT_MARK = "<EXPR>", "<STMT>"
VALUES = ["x", "args.x", "ds", "0", EXPR_MARK]


@st.composite
def calls(
    draw: st.DrawFn,
    funcs: Sequence[str],
    positional: Sequence[str],
    keywords: dict[str, list[str]],
) -> str:
    func = draw(st.sampled_from(funcs))
    pos = draw(st.lists(st.sampled_from([*positional, *VALUES]), max_size=5))
    star = draw(st.sampled_from(["", "*extra", "**kw"]))
    names = draw(st.lists(st.sampled_from(sorted(keywords)), unique=True, max_size=5))
    kws = [f"{n}={draw(st.sampled_from([*keywords[n], *VALUES]))}" for n in names]
    args = [*pos, *kws]
    if star == "*extra":
        args.insert(len(pos), star)
    elif star:
        args.append(star)
    comment = draw(st.sampled_from(["", "  # a comment", "  # noqa: RNG301"]))
    text = func + _layout(args, draw(st.integers(0, 4)), comment)
    target = draw(st.sampled_from(["", "x = ", "loader = ", "return ", "a, b = ", "yield "]))
    suffix = draw(st.sampled_from(["", "", ".to(device)", ".cuda()", ".normal_()"]))
    return target + text + suffix


def _compiles(text: str, mode: str) -> bool:
    try:
        quiet_compile(text, mode)
    except (SyntaxError, ValueError):
        return False
    return True


GEN_EXPR = (
    hypothesmith.from_grammar("eval_input", auto_target=False)
    .map(str.strip)
    .filter(lambda e: _compiles(e, "eval") and "\n" not in e and len(e) < 120)
    .map(lambda e: f"({e})")
)
GEN_STMT = (
    hypothesmith.from_grammar("single_input", auto_target=False)
    .map(lambda s: s.strip("\n"))
    .filter(lambda s: s.strip() != "" and _compiles(s + "\n", "exec") and len(s) < 300)
)

# the rules' documentation examples: real, realistic modules (single-file ones)
DOC_EXAMPLES = sorted(
    {
        textwrap.dedent(e.code).strip("\n")
        for rule in RULES.values()
        for e in [*rule.invalid, *rule.valid]
        if not e.files
    }
)

ONE_LINERS = [s for s in SIMPLE if "\n" not in s and "#" not in s]
STATEMENTS = st.one_of(
    st.sampled_from(SIMPLE),
    st.sampled_from(SIMPLE),
    st.builds(str.format, st.sampled_from(SEED_CALLS), st.sampled_from([*SEEDS, EXPR_MARK])),
    calls(LOADERS, LOADER_POSITIONAL, LOADER_KEYWORDS),
    calls(DRAWS, DRAW_POSITIONAL, DRAW_KEYWORDS),
    st.sampled_from(DOC_EXAMPLES),
    st.sampled_from([*IMPORTS, STMT_MARK]),
    # ``a; b`` and one-line compound statements
    st.builds("; ".join, st.lists(st.sampled_from(ONE_LINERS), min_size=2, max_size=3)),
    st.builds(
        "{} {}".format,
        st.sampled_from(["if args.debug:", "for _ in range(2):", "while flag:", "with ctx:"]),
        st.sampled_from(ONE_LINERS),
    ),
)
# A program is a flat list of items (flat, so that hypothesis's draws stay shallow): a statement,
# a block opened (header, indentation unit), the innermost block closed, or its ``else`` /
# ``except`` branch started.
ITEMS = st.one_of(
    STATEMENTS.map(lambda s: ("stmt", s)),
    STATEMENTS.map(lambda s: ("stmt", s)),
    st.tuples(st.just("open"), st.sampled_from(HEADERS), st.sampled_from(INDENTS)),
    st.sampled_from([("close",), ("close",), ("else",)]),
)


class _Block:
    def __init__(self, header: str, outer: str, inner: str, in_function: bool) -> None:
        self.header, self.outer, self.inner = header, outer, inner
        self.in_function = in_function
        self.empty = True
        self.branch = False  # in the else / except branch


def render(items: Sequence[tuple[str, ...]]) -> list[str]:
    """Lay ``items`` out as source lines (every block gets a body, every ``try`` an ``except``)."""
    out: list[str] = []
    stack: list[_Block] = []

    def close() -> None:
        block = stack.pop()
        if block.empty:
            out.append(block.inner + "pass")
        if block.header == "try:" and not block.branch:
            out.extend([block.outer + "except Exception:", block.inner + "pass"])

    for item in items:
        prefix = stack[-1].inner if stack else ""
        in_function = stack[-1].in_function if stack else False
        if item[0] == "stmt":
            text = item[1]
            if not in_function and text.startswith(("return", "yield ")):
                text = text.split(" ", 1)[1] if " " in text else "pass"
            if not in_function and text in ("continue", "global RNG"):
                text = "pass"
            out.extend(prefix + line if line.strip() else line for line in text.split("\n"))
            if stack:
                stack[-1].empty = False
        elif item[0] == "open":
            header, indent = item[1], item[2]
            out.extend(prefix + line for line in header.split("\n"))
            if stack:
                stack[-1].empty = False
            is_class = header.startswith("class ")
            function = "def " in header or (in_function and not is_class)
            stack.append(_Block(header, prefix, prefix + indent, function))
        elif item[0] == "close" and stack:
            close()
        elif item[0] == "else" and stack:
            block = stack[-1]
            if block.branch or block.empty or not block.header.startswith(_BRANCHING):
                continue
            out.append(block.outer + ("except Exception:" if block.header == "try:" else "else:"))
            block.branch, block.empty = True, True
    while stack:
        close()
    return out


_BRANCHING = ("if ", "for ", "while ", "try:")
CORE_IMPORTS = [
    "import random",
    "import numpy as np",
    "import torch",
    "from torch.utils.data import DataLoader, Dataset, random_split",
    "import time, os",
]


def _fill(draw: st.DrawFn, lines: list[str]) -> list[str]:
    """Generated code in place of the markers."""
    exprs = sum(line.count(EXPR_MARK) for line in lines)
    stmts = sum(line.strip() == STMT_MARK for line in lines)
    gen_exprs = draw(st.lists(GEN_EXPR, max_size=min(exprs, 3))) if exprs else []
    gen_stmts = draw(st.lists(GEN_STMT, max_size=min(stmts, 2))) if stmts else []
    out: list[str] = []
    for line in lines:
        if line.strip() == STMT_MARK:
            prefix = line[: len(line) - len(line.lstrip())]
            text = gen_stmts.pop() if gen_stmts else "pass"
            out.extend(prefix + piece for piece in text.split("\n"))
            continue
        while EXPR_MARK in line:
            line = line.replace(EXPR_MARK, gen_exprs.pop() if gen_exprs else "x", 1)
        out.append(line)
    return out


@st.composite
def ml_programs(draw: st.DrawFn) -> bytes:
    head = [imp for imp in CORE_IMPORTS if draw(st.integers(0, 3))]
    head += [i for i in draw(st.lists(st.sampled_from(IMPORTS), max_size=4)) if i not in head]
    if "from __future__ import annotations" in head:
        head.remove("from __future__ import annotations")
        head.insert(0, "from __future__ import annotations")
    lines = [*head, *render(draw(st.lists(ITEMS, min_size=1, max_size=30)))]
    if draw(st.booleans()):
        lines += ['if __name__ == "__main__":', "    main()"]
    lines = _fill(draw, lines)
    # blank lines and comments between top-level statements
    spaced: list[str] = []
    for line in lines:
        if not line.startswith((" ", "\t", ")")) and draw(st.integers(0, 5)) == 0:
            spaced.append(draw(st.sampled_from(["", "# comment", "", "#: doc"])))
        spaced.append(line)
    newline = draw(st.sampled_from(["\n", "\n", "\n", "\r\n"]))
    text = newline.join(spaced) + draw(st.sampled_from([newline, "", newline * 2]))
    start = draw(st.sampled_from([b"", b"", b"", BOM, b"# -*- coding: latin-1 -*-\n"]))
    encoding = "latin-1" if b"coding" in start else "utf-8"
    return start + text.encode(encoding, "replace")


def test_ml_programs_fire_most_rules() -> None:
    """The vocabulary is good for something: the rules' examples make every rule fire."""
    fired: set[str] = set()
    for text in DOC_EXAMPLES:
        fired.update(f.code for f in lint_one(text.encode(), PROJECT).findings)
    assert fired >= CODES - {"RNG999"}, sorted(CODES - fired)


@budget(ci=200)
@given(ml_programs())
@example(
    b"import torch\nfrom torch.utils.data import DataLoader\n\ndef main():\n"
    b"    x = torch.randn(3, device='cuda', requires_grad=True)\n"
    b"    loader = DataLoader(ds, shuffle=True, num_workers=4)\n\n"
    b'if __name__ == "__main__":\n    main()\n'
)
def test_ml_programs(program: bytes) -> None:
    note("program")
    report = lint_both(program)
    for code in sorted({f.code for f in report.findings}):
        note(f"fires {code}")
    check_fix(program, report)


# --- the real CLI on generated multi-file projects ------------------------------------------------

ENTRY_HEADS = [
    "import helpers\n",
    "from helpers import *\n",
    "from helpers import make_loader, run\n",
    "import helpers as h\nhelpers = h\n",
]


@st.composite
def projects(draw: st.DrawFn) -> dict[str, bytes]:
    module = draw(ml_programs())
    entry = draw(ml_programs())
    head = draw(st.sampled_from(ENTRY_HEADS)).encode()
    tail = draw(
        st.sampled_from(
            [
                b'\nif __name__ == "__main__":\n    helpers.run()\n',
                b"\nhelpers.make_loader(None)\n",
                b"",
            ]
        )
    )
    if entry.startswith(BOM):
        entry = BOM + head + entry[len(BOM) :]
    elif entry.startswith(b"# -*- coding"):  # the coding cookie stays first
        first, newline, rest = entry.partition(b"\n")
        entry = first + newline + head + rest
    else:
        entry = head + entry
    return {"train.py": entry + tail, "helpers.py": module}


Runner = Callable[..., tuple[int, str, str]]


def cli_in_process(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(args))
    return status, out.getvalue(), err.getvalue()


def cli_subprocess(*args: str) -> tuple[int, str, str]:
    done = conftest.run_cli(*args)
    return done.returncode, done.stdout, done.stderr


def check_cli_fix(files: dict[str, bytes], run: Runner) -> None:
    """``seedlint --fix --unsafe-fixes`` on a folder: no internal error, fixed files parse, a
    second ``--fix`` changes nothing and ``--diff`` has nothing left to show."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            Path(tmp, name).write_bytes(data)
        shown = "".join(f"\n=== {n} ===" + show(d) for n, d in files.items())
        flags = ("--isolated", "--no-cache", "--unsafe-fixes", "--jobs", "1")
        status, _out, err = run(*flags, "--fix", tmp)
        assert "internal error" not in err and "Traceback" not in err, err + shown
        for line in err.splitlines():
            if line.startswith("seedlint: error:"):
                assert ": not fixed:" in line, err + shown
        assert status in (0, 1, 2), err
        if status:
            note("CLI exit 2 (not fixed)" if status == 2 else "CLI exit 1 (findings left)")
        fixed = {n: Path(tmp, n).read_bytes() for n in files}
        for name, data in fixed.items():
            if data != files[name]:
                note("CLI fixed a file")
                parses(data)
        status2, _, err2 = run(*flags, "--fix", tmp)
        assert {n: Path(tmp, n).read_bytes() for n in files} == fixed, (
            "seedlint --fix is not idempotent\n" + err2 + shown
        )
        assert status2 == status, (status, status2, err, err2)
        _, diff, _ = run(*flags, "--diff", tmp)
        assert diff == "", diff + shown


@budget(ci=15, long_share=0.1)
@given(projects())
def test_cli_fix_on_projects(files: dict[str, bytes]) -> None:
    note("program")
    check_cli_fix(files, cli_in_process)


def test_cli_fix_subprocess() -> None:
    """The installed command itself (a process of its own) on a fixed two-module project."""
    helpers = textwrap.dedent(
        """\
        import numpy as np
        import torch
        from torch.utils.data import DataLoader, random_split

        noise = torch.randn(3, device="cuda")

        def make_loader(ds):
            a, b = random_split(ds, [0.9, 0.1])
            return DataLoader(
                a,
                shuffle=True,
                num_workers=4,
            )

        def run():
            print(np.random.rand(), make_loader(list(range(10))))
        """
    )
    entry = 'import helpers\n\nif __name__ == "__main__":\n    helpers.run()\n'
    files = {"train.py": entry.encode(), "helpers.py": helpers.encode()}
    check_cli_fix(files, cli_subprocess)


# --- 4: mutations of real files -----------------------------------------------------------------


def _projects() -> list[list[Path]]:
    """Real files, grouped into the projects they belong to."""
    out = [sorted((ROOT / "examples" / "mnistlike").glob("*.py"))]
    corpus = ROOT / "tests" / "corpus"
    out += [sorted(case.rglob("*.py")) for case in sorted(corpus.iterdir()) if case.is_dir()]
    out += [[p] for p in sorted((ROOT / "tests" / "data").glob("*.py"))]
    return [files for files in out if files]


REAL = _projects()


def _tokens(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of the tokens tokenize finds before it gives up."""
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    out = []
    try:
        for tok in tokenize.tokenize(io.BytesIO(data).readline):
            if tok.type in (tokenize.ENCODING, tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            (sl, sc), (el, ec) = tok.start, tok.end
            if sl - 1 >= len(starts) or el - 1 >= len(starts):
                break
            # columns count characters; the files here are (mostly) ASCII, close enough
            a, b = starts[sl - 1] + sc, starts[el - 1] + ec
            if a < b <= len(data):
                out.append((a, b))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError, IndentationError):
        pass
    return out


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        lines = data.splitlines(keepends=True) or [b""]
        kind = draw(
            st.sampled_from(
                [
                    "delete line",
                    "duplicate line",
                    "swap lines",
                    "delete token",
                    "duplicate token",
                    "indent line",
                    "truncate",
                    "insert byte",
                ]
            )
        )
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "delete line":
            del lines[i]
        elif kind == "duplicate line":
            lines.insert(i, lines[i])
        elif kind == "swap lines":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "indent line":
            stripped = lines[i].lstrip(b" \t")
            lines[i] = draw(st.sampled_from([b"", b" ", b"  ", b"    ", b"\t", b"        "]))
            lines[i] += stripped
        if kind.endswith("line") or kind == "swap lines":
            data = b"".join(lines)
        elif kind.endswith("token"):
            tokens = _tokens(data)
            if tokens:
                a, b = draw(st.sampled_from(tokens))
                data = data[:a] + (data[a:b] * 2 if kind == "duplicate token" else b"") + data[b:]
        elif kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        else:
            at = draw(st.integers(0, len(data)))
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at:]
        note(kind)
    return data


@budget(ci=150)
@given(st.sampled_from(REAL), st.data())
def test_mutated_real_files(project: list[Path], data: st.DataObject) -> None:
    note("program")
    index = data.draw(st.integers(0, len(project) - 1))
    original = project[index].read_bytes()
    changed = data.draw(mutated(original), label="mutated")
    sources = [
        SourceFile(str(p), str(p.resolve()), changed if i == index else p.read_bytes())
        for i, p in enumerate(project)
    ]
    lint_files(sources, PROJECT)  # the whole project, one file mutated
    path = str(project[index])
    lint_one(changed, FILE, path)
    report = lint_one(changed, PROJECT, path)
    if report.findings:
        note("findings")
    check_fix(changed, report, path)


def test_real_files_are_found() -> None:
    assert sum(len(p) for p in REAL) >= 100


# --- regressions: seedlint bugs found by fuzzing (minimal reproducers) -----------------------------

# String literals libcst accepts and CPython rejects (NUL byte, bad escape, non-ASCII bytes):
# evaluating one (``names.literal_value`` → libcst's ``evaluated_value`` → ``ast.literal_eval``;
# ``rules/device.py`` ``may_be_cuda``) raises SyntaxError. It used to escape as "internal error
# while analysing" (exit status 2); the file is now RNG999 at CPython's location.
BAD_LITERALS = [
    b'if __name__ == "\\x4":\n    pass\n',
    b'if __name__ == b"\x00":\n    pass\n',
    b'import torch\nx = torch.randn(3, device="\\N{NOPE}")\n',
    b'from torch.utils.data import DataLoader\nDataLoader(ds, num_workers=b"\xc3\xa9")\n',
]


@pytest.mark.parametrize(
    "program", BAD_LITERALS, ids=["escape-in-guard", "nul-in-guard", "escape-device", "bytes-kwarg"]
)
def test_literal_cpython_rejects_is_no_internal_error(program: bytes) -> None:
    lint_one(program, PROJECT)


def test_seed_after_imports_fix_resolves_a_draw_between_imports() -> None:
    program = (
        b'import torch\nx = torch.randn(3)\nimport os\n\nif __name__ == "__main__":\n    pass\n'
    )
    report = lint_one(program, PROJECT)
    fixed = check_fix(program, report) or program
    left = lint_one(fixed, PROJECT).findings
    assert not [f for f in left if fixes.applicable(f, unsafe=True)], left


def test_noqa_does_not_hide_that_a_file_was_not_analysed() -> None:
    report = lint_one(b"import random\nrandom.shuffle(x)\ndef f(:  # noqa\n    pass\n", PROJECT)
    assert [f.code for f in report.findings] == ["RNG999"]


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-p", "no:cacheprovider", "--hypothesis-show-statistics"])
