"""RNG001–RNG003: draws from a global generator while its library is unseeded.

Whole-program rules: the engine runs every entry point (see ``seedlint.engine.program``) and
these rules word what it found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Optional

from seedlint import apis
from seedlint.engine.facts import Seed
from seedlint.engine.interp import MAIN, WORKER, EntryRun, Hit
from seedlint.engine.program import Program
from seedlint.findings import Finding, Fix, Location
from seedlint.rules.base import Invalid, Rule, Valid

_WHEN = """
In project scope (the default) the analysed files form one program. seedlint finds the entry
points (a `__main__` guard, `__main__.py`, paths listed in `entry-points`, and script code
at the top level of a module no other analysed module imports) and runs each one abstractly,
in execution order: imported project modules run their top level at import time; called
functions and built classes run their bodies with what is known of their arguments (code
under `if flag:` is skipped where `flag` is known to be false: a literal argument, a default,
an argparse default, a constructor argument stored on `self`, a module constant); methods run
only when something calls them (`model(x)` runs `forward`, a DataLoader runs its dataset's
`__getitem__` — in its workers when `num_workers` is not 0); functions passed as values run
where they are called (callbacks, `partial`, registries). Code reached only later (through a
callee whose value is unknown) runs after the main flow's seeding. A draw is reported when
some entry point runs it before seeding {lib}; the message names that entry point and, when the
draw is in another file, the calls that lead to it. When an entry point never seeds {lib}, the
cause is one missing seed: one finding at its first draw, the others as related locations.
Draws at import time or before the entry point's seed line are their own findings. Modules
that no entry point reaches are library code: their callers own the seeding, so they are not
reported. In file scope (`--scope file`, flake8) each file is its own program.
"""


_FIX_SAFETY = """
Unsafe: it adds one `seed_everything(0)` (seedlint_runtime) to the entry point that runs the
draw — the first statement of its `__main__` guard, or after the imports of a script; before
every import when the draw runs at import time — not one per draw. Every library's numbers
change (they become reproducible); an existing seed later in the program still takes over from
there.
"""

#: How many related locations the text of a message names.
_SHOWN = 3


def _place(hit: Hit) -> str:
    """Where the entry point's seed must go for this draw: "top" (before every import: the
    draw runs at import time of another module), "imports" (after the header imports: the
    entry's own top level draws before its guard), "main" (first statement of the guard)."""
    if hit.at_import:
        # right before the entry point's import that runs the draw
        return f"top:{hit.import_of}" if hit.import_of else "top"
    return "imports" if hit.before_guard else "main"


@dataclass
class _Group:
    """One cause: the draws an entry point runs unseeded for one reason."""

    run: EntryRun
    hits: list[Hit]
    kind: str  # "import" | "early" | "never"

    @property
    def first(self) -> Hit:
        return self.hits[0]


def groups(program: Program, lib: str) -> list[_Group]:
    """Per entry point: each draw at import time or before the seed line on its own, and the
    draws of an entry point that never seeds ``lib`` as one group (first draw first)."""
    out: list[_Group] = []
    for run in program.ranked_runs():
        never: list[Hit] = []
        for hit in sorted((h for h in run.hits if h.draw.lib == lib), key=lambda h: h.seq):
            if hit.at_import:
                out.append(_Group(run, [hit], "import"))
            elif hit.followed and hit.ctx == MAIN and lib in run.seeded:
                out.append(_Group(run, [hit], "early"))
            else:
                never.append(hit)
        if never:
            out.append(_Group(run, never, "never"))
    return out


class _UnseededGlobal(Rule):
    lib: ClassVar[str]
    seed_hint: ClassVar[str]

    def check_program(self, program: Program) -> Iterable[Finding]:
        # A draw that starts the groups of several entry points gets one finding: it names the
        # first entry point, and its fix seeds every one of them (extra targets in ``data``).
        merged: dict[tuple[str, int, int], tuple[_Group, list[_Group]]] = {}
        for group in groups(program, self.lib):
            hit = group.first
            spot = (hit.path, hit.span.line, hit.span.column)
            if spot in merged:
                merged[spot][1].append(group)
            else:
                merged[spot] = (group, [])
        # Groups come from the most important context first (program > demo > benchmark >
        # test): a finding takes the context of the first entry point that runs it unseeded.
        for group, others in merged.values():
            yield self._finding(program, group, others)

    def _finding(self, program: Program, group: _Group, others: list[_Group]) -> Finding:
        hit = group.first
        entry = group.run.entry
        place = _place(hit)
        own = _program_seed_place(group) if group.kind != "import" else None
        if own is not None:
            place = own[0]
        kind, _, import_of = place.partition(":")
        where = {
            "top": (
                f"right before the import of {import_of} that runs the draw (the imports after "
                "it get `# noqa: E402`)"
                if import_of
                else "before its imports"
            ),
            "imports": "after its imports",
            "main": "at the start of its main flow",
            "seed": own[1] if own is not None else "",
        }[kind]
        extra_places: dict[str, str] = {}
        for other in others:
            if other.run.entry.path != entry.path:
                extra_places.setdefault(other.run.entry.path, _place(other.first))
        extra = tuple(sorted(extra_places.items()))
        also = f" (and to {len(extra)} more entry points)" if extra else ""
        # "after its imports" must still come before this draw when it sits between them.
        before = hit.span.stmt_line if kind == "imports" and hit.facts is entry else 0
        tests = {o.run.entry.path for o in others if o.run.test}
        extra = tuple(e for e in extra if e[0] not in tests)
        fix: Optional[Fix] = None
        library = [h for g in (group, *others) for h in g.hits]
        helper = (
            _helper_extension(program, group, self.lib)
            if group.kind == "never" and not group.run.test
            else None
        )
        if helper is not None:
            path, qual, param, last = helper
            shown = _LIBRARY_SEEDING[self.lib].format(param)
            fix = Fix(
                "unsafe",
                f"add `{shown}` to the program's own seeding helper `{qual}()` in {path}",
                "extend-helper",
                data=(qual, param, self.lib, last),
                target=path,
            )
        elif all(h.draw.fix for h in library):
            # library calls that take a seed: each gets its own stream of the run's seed
            edits = tuple(
                (
                    h.path,
                    h.span.line,
                    h.span.column,
                    h.span.end_line,
                    h.span.end_column,
                    *h.draw.fix,
                )
                for h in library
            )
            keys = ", ".join(
                f'`{h.draw.param}=derive_seed("{h.draw.fix[0]}")`' for h in library[:2]
            )
            more = f" and {len(library) - 2} more" if len(library) > 2 else ""
            fix = Fix("unsafe", f"pass {keys}{more}", "seed-args", data=edits)
        elif not group.run.test:  # a test is seeded by a fixture, not by a line in its module
            call = f"seed_everything({own[2]})" if own is not None else "seed_everything(0)"
            chosen = (
                ""
                if own is not None
                else " (the program has no seed of its own that covers this draw: 0 is a "
                "choice, put yours)"
            )
            fix = Fix(
                "unsafe",
                f"add `{call}` to {entry.path} {where}{also}{chosen}",
                "seed-entry",
                data=(place, extra, before),
                target=entry.path,
            )
        seen = {(hit.path, hit.span.line, hit.span.column)}
        related: list[Location] = []
        for g in (group, *others):
            for h in g.hits[1:] if g is group else g.hits:
                spot = (h.path, h.span.line, h.span.column)
                if spot not in seen:
                    seen.add(spot)
                    related.append(Location(h.path, h.span))
        return Finding(
            self.code,
            self.message(group),
            hit.path,
            hit.span,
            fix=fix,
            entry_point=group.run.name,
            related=tuple(related),
            context=group.run.context,
        )

    def message(self, group: _Group) -> str:
        text = self._message(group)
        run = group.run
        if run.seed_hints and group.kind == "never":
            text += (
                f" (if `{run.seed_hints[0]}` seeds {apis.LIBRARY_TITLE[self.lib]}, "
                "list it in `seed-functions`)"
            )
        return text

    def _message(self, group: _Group) -> str:
        hit = group.first
        title = apis.LIBRARY_TITLE[self.lib]
        entry = group.run.name
        call = f"`{hit.text}`"
        path = _path(hit, group.run.entry.path)
        kind = hit.draw.kind
        generator = "torch's global generator" if self.lib == apis.TORCH else title
        param = f"`{hit.draw.param}`" if hit.draw.param else ""
        if kind == "construct":
            what = f"{call} initialises model weights from {generator}{path}"
        elif kind in ("library", "fit"):
            # ``without `random_state```, or ``with `random_state` None`` when one is passed
            # that is None here (a parameter's default, ``--seed``'s default)
            how = f"with {param} None" if hit.draw.seed is not None else f"without {param}"
            if kind == "fit":
                verb = "split" if hit.draw.api.endswith(("Fold", "Split", "check_cv")) else "fitted"
                what = f"{call} {how} draws from {title} when it is {verb}{path}"
            elif hit.draw.param == "seed":
                what = f"{call} {how} takes its seed from {title}{path}"
            else:
                what = f"{call} {how} draws from {title}{path}"
        elif kind == "apply":
            what = f"{call} draws from {generator} each time it is applied{path}"
        elif kind == "stochastic":
            what = (
                f"{call} draws from {generator} whenever the model holding it runs in training "
                f"mode{path}"
            )
        else:
            what = f"{call} draws from {title}{path}"
        if group.kind == "import":
            where = hit.import_of or hit.facts.path
            return (
                f"{call} runs at import time of {where}{path}, before {entry} seeds {title}: "
                "draw inside a function, or seed before the import"
            )
        if group.kind == "early":
            if hit.draw.fix and all(h.draw.fix for h in group.hits):
                return (
                    f"{what} before {entry} seeds it: pass {param} or move `{self.seed_hint}` "
                    "(or `seed_everything(...)`) ahead of this call"
                )
            if kind == "construct":
                return (
                    f"{what} before {entry} seeds it: build the model after "
                    f"`{self.seed_hint}` (or `seed_everything(...)`)"
                )
            return (
                f"{what} before {entry} seeds it: move `{self.seed_hint}` (or "
                "`seed_everything(...)`) ahead of this call"
            )
        if hit.ctx == WORKER:
            return (
                f"{what} in DataLoader worker processes; each worker is seeded from the main "
                f"process's torch generator, which {entry} never seeds: call "
                "`torch.manual_seed(...)` (or `seed_everything(...)`) at the start of its main "
                "flow"
            )
        if hit.draw.fix and all(h.draw.fix for h in group.hits):
            return (
                f"{what}, which {entry} never seeds: pass {param} (or call "
                f"`{self.seed_hint}` at the start of its main flow)"
            )
        if group.run.test:
            return (
                f"{what}, which {entry} never seeds: call `{self.seed_hint}` in the test or in "
                "an autouse fixture (conftest.py), or use pytest-randomly"
            )
        return (
            f"{what}, which {entry} never seeds: call `{self.seed_hint}` "
            f"(or `seed_everything(...)`) at the start of its main flow"
        )


#: How the seed fix seeds a library inside a helper it extends (the module named as imported).
_LIBRARY_SEEDING = {
    apis.PYTHON: "random.seed({})",
    apis.NUMPY: "np.random.seed({})",
    apis.TORCH: "torch.manual_seed({})",
}


def _helper_extension(
    program: Program, group: _Group, lib: str
) -> Optional[tuple[str, str, str, int]]:
    """The program's own seeding helper (``set_seed(args.seed)``), called before every draw of
    the group, that seeds other libraries from its parameter but not ``lib``: (its file, its
    function, its seed parameter, the line of its last seeding call) — the fix adds ``lib``
    there rather than a second seeding site."""
    facts = group.run.entry
    first = min(_entry_lines(group.hits, facts.path, 1, 1 << 30), default=None)
    for _func, call_line, _, _, target in facts.program_seeds:
        if target is None or first is None or call_line >= first:
            continue
        for kind, hkey, qual in program.resolve(group.run.key, target):
            helper = program.files[hkey]
            scope = helper.scopes.get(qual)
            if kind != "function" or scope is None or not scope.params:
                continue
            param = scope.params[0]
            seeds = [
                ev
                for ev in scope.events
                if isinstance(ev, Seed)
                and ev.value in (("param", param), ("local", param))
                and ev.span is not None
            ]
            seeded = {lib_ for ev in seeds for lib_ in ev.libs}
            if seeds and lib not in seeded:
                last = max(ev.span.end_line for ev in seeds if ev.span is not None)
                return helper.path, qual, param, last
    return None


def _entry_lines(hits: Iterable[Hit], entry: str, first: int, last: int) -> list[int]:
    """The lines of the entry point's file, between ``first`` and ``last``, where the draws
    happen or where the calls that lead to them are."""
    lines: list[int] = []
    for hit in hits:
        lines += [s.span.line for s in hit.steps if s.path == entry]
        if hit.path == entry:
            lines.append(hit.span.line)
    return [line for line in lines if first <= line <= last]


def _program_seed_place(group: _Group) -> Optional[tuple[str, str, str]]:
    """The program's own seed for the fix (``seed_everything(args.seed)`` right after
    ``args`` is set), when the entry point seeds from one (``set_seed(args.seed)``) in the
    function whose call leads to the draw, and that value is known before the draw:
    (place, where it goes in words, the expression)."""
    facts = group.run.entry
    hit = group.first
    for func, _, after, expr, _target in facts.program_seeds:
        # "" is the module's top level (a script): any line
        lines = facts.function_lines.get(func) if func else (1, 1 << 30)
        if lines is None or (not func and after == 0):
            continue
        spots = _entry_lines([hit], facts.path, *lines)
        if not spots or min(spots) <= max(after, lines[0]):
            continue
        root = expr.split(".", 1)[0].split("[", 1)[0]
        scope = f"`{func}()`" if func else "the script"
        at = (
            f"at the start of {scope}"
            if after == 0
            else f"in {scope} right after `{root}` is set (line {after})"
        )
        return f"seed:{func}:{after}:{expr}", f"{at}, with the program's own seed", expr
    return None


def _path(hit: Hit, entry: str) -> str:
    """`` (`train.py:12 Net()` → `model.py:8 nn.Linear(4, 2)`)`` when the draw is in another
    file than the entry point, or reached through code that runs later."""
    if hit.path == entry and all(s.path == entry for s in hit.steps):
        return ""
    steps = list(hit.steps)
    # From the entry point's last call on the way (``main()`` → … is not news).
    in_entry = [i for i, step in enumerate(steps) if step.path == entry]
    if in_entry:
        steps = steps[in_entry[-1] :]
    if not steps:
        return ""
    shown = [s.describe() for s in steps]
    if len(shown) > _SHOWN:
        shown = [*shown[:2], "…", shown[-1]]
    last = f"`{hit.path}:{hit.span.line} {hit.text}`"
    return " (" + " → ".join([*shown, last]) + ")"


class UnseededPythonRandom(_UnseededGlobal):
    code = "RNG001"
    name = "unseeded-python-random"
    fixable = "unsafe"
    fix_safety = _FIX_SAFETY
    summary = "global `random.*` draw while `random` is unseeded"
    lib = apis.PYTHON
    seed_hint = "random.seed(...)"
    what = (
        "Finds draws from Python's global `random` generator (`random.random`, `shuffle`, "
        "`choice`, …) that run before the program seeds it.\n" + _WHEN.format(lib="`random`")
    )
    why = (
        "An unseeded global generator starts from OS entropy, so every run draws different "
        "numbers: data augmentation, sampling and splits cannot be repeated, and a result "
        "cannot be traced back to the run that produced it."
    )
    how_to_fix = (
        "Seed at the start of the entry point's main flow, before anything draws: "
        "`random.seed(seed)`, or `seedlint_runtime.seed_everything(seed)`, which seeds "
        "`random`, NumPy and torch at once. Draws at a module's top level run at import time, "
        "before `main()`: move them into a function."
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import random

            def main():
                items = list(range(10))
                random.shuffle(items)
                print(items)

            if __name__ == "__main__":
                main()
            """,
            lines=(5,),
        ),
        Invalid(
            """
            from random import choice as pick

            print(pick(["a", "b"]))
            random_seed = 3
            """,
            lines=(3,),
        ),
        Invalid(
            """
            import random

            noise = random.random()

            def main():
                random.seed(0)
                print(noise)

            if __name__ == "__main__":
                main()
            """,
            lines=(3,),
            note="top-level draw runs before the seed in main()",
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import random

            def main():
                random.seed(0)
                items = list(range(10))
                random.shuffle(items)
                print(items)

            if __name__ == "__main__":
                main()
            """
        ),
        Valid(
            """
            import random

            def augment(items, random=random.Random(0)):
                random.shuffle(items)
                return items
            """,
            note="a library module (no entry point) and a parameter shadowing the module",
        ),
    ]


class UnseededNumpyGlobal(_UnseededGlobal):
    code = "RNG002"
    name = "unseeded-numpy-global"
    fixable = "unsafe"
    summary = (
        "draw from NumPy's global RNG (`numpy.random.*`, scikit-learn, pandas `sample`, "
        "`datasets` `shuffle`) while it is unseeded"
    )
    lib = apis.NUMPY
    seed_hint = "np.random.seed(...)"
    what = (
        "Finds draws from NumPy's legacy global `RandomState` (`np.random.rand`, `randn`, "
        "`shuffle`, `choice`, … — the 50 functions of `numpy.random`) that run before the "
        "program seeds it, and **library calls that draw from it for you**: scikit-learn "
        "callables whose `random_state` is absent or `None` — functions such as "
        "`train_test_split`, `shuffle`, `resample` and the `make_*` generators draw when "
        "called; estimators and splitters (`RandomForestClassifier()`, `KMeans()`, "
        "`KFold(shuffle=True)`) draw when fitted or split (`fit`, `fit_transform`, `split`, "
        "or handed to `cross_val_score` or a search or pipeline that is fitted), and are "
        "reported at their constructor; configurations that do not use their `random_state` "
        "are not draws (`LogisticRegression()` with its default solver, `SVC()` without "
        "`probability=True`, `KFold` without `shuffle`, `Lasso` with cyclic selection); "
        "pandas `DataFrame`/`Series`/`groupby` `.sample()` without `random_state`; Hugging "
        "Face `datasets`' `shuffle()`/`train_test_split()` without `seed`/`generator` (their "
        "seed comes from NumPy's global state). A fixed int or a seeded `RandomState`/"
        "`Generator` passed as `random_state` is not a draw; an unseeded one is RNG101.\n"
        + _WHEN.format(lib="NumPy")
    )
    why = (
        "NumPy's global generator is seeded from OS entropy at import: every run draws "
        "different numbers. Seeding torch does not seed NumPy, and neither does seeding "
        "Python's `random`."
    )
    how_to_fix = (
        "Seed it at the start of the main flow (`np.random.seed(seed)` or "
        "`seedlint_runtime.seed_everything(seed)`), or better, draw from a generator you pass "
        "around: `rng = np.random.default_rng(seed)`; `rng.normal(...)`. Library calls take "
        "their own seed: `random_state=`, `seed=`; the fix passes "
        '`random_state=derive_seed("module:scope:name")`, a stream of the run\'s seed.'
    )
    fix_safety = (
        _FIX_SAFETY
        + """
When every draw of the finding is a library call that takes a seed, the fix instead passes
`random_state=derive_seed("module:scope:name")` (`seed=` for `datasets`) to each of them: a
stream of the run's seed (`seed_everything`'s, else 0) named after the call. Unsafe: it
chooses a seed, so the split, the fitted model and every number after them change.
"""
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import numpy as np
            import torch

            def main():
                torch.manual_seed(0)
                idx = np.random.permutation(100)
                print(idx[:10])

            if __name__ == "__main__":
                main()
            """,
            lines=(6,),
            note="seeding torch does not seed NumPy",
        ),
        Invalid(
            """
            from numpy import random as npr

            for _ in range(3):
                print(npr.rand())
            """,
            lines=(4,),
        ),
        Invalid(
            """
            import pandas as pd
            from sklearn.ensemble import RandomForestClassifier
            from sklearn.model_selection import GridSearchCV, train_test_split

            def main():
                df = pd.read_csv("train.csv").sample(frac=1)
                X_tr, X_te, y_tr, y_te = train_test_split(df.drop(columns="y"), df.y)
                search = GridSearchCV(RandomForestClassifier(), {"max_depth": [3, 5]})
                search.fit(X_tr, y_tr)
                print(search.score(X_te, y_te))

            if __name__ == "__main__":
                main()
            """,
            lines=(6,),
            related=(7, 8),
            note="library calls that draw from NumPy's global RNG: one cause (NumPy is never "
            "seeded), one finding; the forest draws when the search fits it",
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import numpy as np

            def main(seed=0):
                np.random.seed(seed)
                idx = np.random.permutation(100)
                print(idx[:10])

            if __name__ == "__main__":
                main()
            """
        ),
        Valid(
            """
            import argparse
            import numpy as np

            def main():
                parser = argparse.ArgumentParser()
                parser.add_argument("--seed", type=int, default=None)
                args = parser.parse_args()
                if args.seed is not None:
                    np.random.seed(args.seed)
                print(np.random.rand(3))

            if __name__ == "__main__":
                main()
            """,
            note="conditional seeding counts as seeding",
        ),
        Valid(
            """
            from sklearn.datasets import make_classification
            from sklearn.ensemble import RandomForestClassifier
            from sklearn.linear_model import LogisticRegression
            from sklearn.model_selection import KFold, cross_val_score

            def main():
                X, y = make_classification(random_state=0)
                rf = RandomForestClassifier(random_state=0)
                print(cross_val_score(rf, X, y, cv=KFold(5)).mean())
                print(cross_val_score(LogisticRegression(), X, y).mean())

            if __name__ == "__main__":
                main()
            """,
            note="library calls given a seed; LogisticRegression's default solver and KFold "
            "without shuffle draw nothing",
        ),
    ]


class UnseededTorchGlobal(_UnseededGlobal):
    code = "RNG003"
    name = "unseeded-torch-global"
    fixable = "unsafe"
    fix_safety = _FIX_SAFETY
    summary = (
        "draw from torch's default generator (model construction and torchvision random "
        "transforms included) while torch is unseeded"
    )
    lib = apis.TORCH
    seed_hint = "torch.manual_seed(...)"
    what = (
        "Finds draws from torch's default generator — `torch.rand*`, `randperm`, `normal`, "
        "`bernoulli`, `multinomial`, `Tensor.uniform_`/`normal_`/…, the random `nn.init` "
        "initialisers, dropout in functional form (unless `training=False`), "
        "`torch.distributions` samples, **model construction** (layer constructors that "
        "initialise their parameters from the global generator: `nn.Linear`, `nn.Conv*`, "
        "`nn.Embedding`, recurrent layers, attention) and **stochastic modules** "
        "(`nn.Dropout*`, `nn.AlphaDropout`, `nn.FeatureAlphaDropout`, `nn.RReLU`) called while "
        "the model may be in training mode — that run before the program seeds torch. "
        "A model built before the seed line (`model = Net()` then `torch.manual_seed(0)`), the "
        "most common reproducibility bug, is reported at its layer constructor, with the call "
        "that builds it; building a model is not a draw when the same flow then loads weights "
        "into it (`load_state_dict`, `from_pretrained`, `load_checkpoint`), and dropout does "
        "not draw in a flow that only evaluates (`.eval()`, never `.train()`; `torch.no_grad()` "
        "does not switch dropout off). torchvision's **random transforms** (`RandomCrop`, "
        "`RandomHorizontalFlip`, `ColorJitter`, `RandAugment`, … v1 and v2, and `Compose`s "
        "holding them) draw each time they are applied: in the main process they are reported "
        "at their constructor; in DataLoader workers they are seeded by torch's worker seeding "
        "exactly when the main process seeds torch. Calls given `generator=` draw from that "
        "generator and are not reported; data-order APIs are RNG302/RNG303.\n"
        + _WHEN.format(lib="torch")
    )
    why = (
        "Without `torch.manual_seed`, torch's default generator starts from a fresh OS seed: "
        "initial weights, noise and dropout masks differ on every run, so two runs of the same "
        "experiment give different numbers."
    )
    how_to_fix = (
        "Call `torch.manual_seed(seed)` (it seeds the CPU and every CUDA device) or "
        "`seedlint_runtime.seed_everything(seed)` at the start of the main flow, before the "
        "model is built; or pass an explicitly seeded `generator=`."
    )
    invalid: ClassVar[list[Invalid]] = [
        Invalid(
            """
            import torch

            def main():
                x = torch.randn(8, 4)
                print(x.mean())

            if __name__ == "__main__":
                main()
            """,
            lines=(4,),
        ),
        Invalid(
            """
            import torch
            import torch.nn as nn
            import torch.nn.functional as F

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(4, 2)
                    nn.init.xavier_uniform_(self.fc.weight)

                def forward(self, x):
                    return self.fc(F.dropout(x, 0.1, self.training))

            def main():
                net = Net()
                torch.manual_seed(0)
                print(net(torch.ones(1, 4)))

            if __name__ == "__main__":
                main()
            """,
            lines=(8, 9),
            note="the model is built (and initialised) before the seed; forward runs after it",
        ),
        Invalid(
            """
            import torch
            import torch.nn as nn

            def main():
                model = nn.Sequential(nn.Linear(16, 64), nn.Dropout(0.1), nn.Linear(64, 2))
                model.load_state_dict(torch.load("pretrained.pt"))
                opt = torch.optim.SGD(model.parameters(), lr=0.01)
                for x, y in torch.load("data.pt"):
                    loss = nn.functional.cross_entropy(model(x), y)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()

            if __name__ == "__main__":
                main()
            """,
            lines=(5,),
            related=(),
            note="fine-tuning: the loaded weights overwrite what construction drew, but dropout "
            "still draws in training mode; reported at the module's construction",
        ),
        Invalid(
            """
            import torch
            import torch.nn as nn

            def main():
                model = nn.Linear(4, 2)
                noise = torch.randn(8, 4)
                print(model(noise))

            if __name__ == "__main__":
                main()
            """,
            lines=(5,),
            related=(6,),
            note="one missing seed, one finding: the other draws are related locations",
        ),
        Invalid(
            """
            from PIL import Image
            from torchvision import transforms as T

            augment = T.Compose([T.RandomResizedCrop(224), T.ToTensor()])

            def main(path):
                crops = [augment(Image.open(path)) for _ in range(4)]
                print([c.mean() for c in crops])

            if __name__ == "__main__":
                main("cat.jpg")
            """,
            lines=(4,),
            note="a random transform applied in the main process draws from torch's global "
            "generator",
        ),
    ]
    valid: ClassVar[list[Valid]] = [
        Valid(
            """
            import torch
            from torch.utils.data import DataLoader
            from torchvision import datasets, transforms as T

            def main():
                torch.manual_seed(0)
                augment = T.Compose([T.RandomCrop(32, padding=4), T.ToTensor()])
                train = datasets.CIFAR10("data", train=True, transform=augment)
                for x, y in DataLoader(train, batch_size=128, shuffle=True, num_workers=4):
                    pass

            if __name__ == "__main__":
                main()
            """,
            note="transforms applied in DataLoader workers are seeded from the main process's "
            "torch seed",
        ),
        Valid(
            """
            import torch

            def main():
                torch.manual_seed(0)
                x = torch.randn(8, 4)
                print(x.mean())

            if __name__ == "__main__":
                main()
            """
        ),
        Valid(
            """
            import torch
            import torch.nn as nn

            def main():
                model = nn.Sequential(nn.Linear(16, 64), nn.Dropout(0.1), nn.Linear(64, 2))
                model.load_state_dict(torch.load("model.pt"))
                model.eval()
                with torch.no_grad():
                    print(model(torch.ones(1, 16)))

            if __name__ == "__main__":
                main()
            """,
            note="inference: weights loaded, dropout off in eval mode",
        ),
        Valid(
            """
            import torch

            def main():
                g = torch.Generator().manual_seed(0)
                print(torch.randn(3, generator=g))

            if __name__ == "__main__":
                main()
            """,
            note="an explicitly seeded generator",
        ),
        Valid(
            """
            from utils import set_all_seeds
            from model import make_noise

            def main():
                set_all_seeds(42)
                print(make_noise())

            if __name__ == "__main__":
                main()
            """,
            files={
                "utils.py": """
                    import random
                    import numpy as np
                    import torch

                    def set_all_seeds(seed):
                        random.seed(seed)
                        np.random.seed(seed)
                        torch.manual_seed(seed)
                    """,
                "model.py": """
                    import torch

                    def make_noise():
                        return torch.randn(3)
                    """,
            },
            note="a project helper that seeds is a seeder wherever it is called",
        ),
    ]
