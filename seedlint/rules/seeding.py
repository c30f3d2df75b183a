"""RNG001–RNG003: draws from a global generator while its library is unseeded.

Whole-program rules: the engine runs every entry point (see ``seedlint.engine.program``) and
these rules word what it found.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from seedlint import apis
from seedlint.engine.program import Program, UnseededDraw
from seedlint.findings import Finding, Fix
from seedlint.rules.base import Invalid, Rule, Valid

_WHEN = """
In project scope (the default) the analysed files form one program. seedlint finds the entry
points (a `__main__` guard, `__main__.py`, paths listed in `entry-points`, and script code
at the top level of a module no other analysed module imports) and follows each one in
execution order: imported project modules run their top level at import time, called
functions and instantiated classes run their bodies (code under `if flag:` is skipped where
the call makes `flag` false), and code
reached later through paths it cannot follow (`model(x)` reaching `forward`, callbacks) runs after
the main flow's seeding. A draw is reported when some entry point runs it before seeding {lib};
the message names that entry point. Modules that no entry point reaches are library code: their
callers own the seeding, so they are not reported. In file scope (`--scope file`, flake8) each
file is its own program.
"""


_FIX_SAFETY = """
Unsafe: it adds one `seed_everything(0)` (seedlint_runtime) to the entry point that runs the
draw — the first statement of its `__main__` guard, or after the imports of a script; before
every import when the draw runs at import time — not one per draw. Every library's numbers
change (they become reproducible); an existing seed later in the program still takes over from
there.
"""


def _place(u: UnseededDraw) -> str:
    """Where the entry point's seed must go for this draw: "top" (before every import: the
    draw runs at import time of another module), "imports" (after the header imports: the
    entry's own top level draws before its guard), "main" (first statement of the guard)."""
    if u.at_import:
        return "top"
    return "imports" if u.before_guard else "main"


class _UnseededGlobal(Rule):
    lib: ClassVar[str]
    seed_hint: ClassVar[str]

    def check_program(self, program: Program) -> Iterable[Finding]:
        # Every entry point that runs a draw unseeded gets the seed from the one fix: the
        # finding names one of them, the fix edits all (extra targets in ``data``).
        everyone: dict[tuple[str, int], dict[str, str]] = {}
        for run in program.runs():
            for other in run.unseeded:
                if other.draw.lib == self.lib:
                    spot = (other.facts.path, other.draw.order)
                    everyone.setdefault(spot, {}).setdefault(other.entry.path, _place(other))
        for u in program.unseeded_draws(self.lib):
            place = _place(u)
            where = {
                "top": "before its imports",
                "imports": "after its imports",
                "main": "at the start of its main flow",
            }[place]
            others = everyone.get((u.facts.path, u.draw.order), {})
            extra = tuple(sorted((p, pl) for p, pl in others.items() if p != u.entry.path))
            also = f" (and to {len(extra)} more entry points)" if extra else ""
            # "after its imports" must still come before this draw when it sits between them.
            before = u.draw.span.stmt_line if place == "imports" and u.facts is u.entry else 0
            fix = Fix(
                "unsafe",
                f"add `seed_everything(0)` to {u.entry.path} {where}{also}",
                "seed-entry",
                data=(place, extra, before),
                target=u.entry.path,
            )
            yield Finding(
                self.code,
                self.message(u),
                u.facts.path,
                u.draw.span,
                fix=fix,
                entry_point=u.entry.path,
            )

    def message(self, u: UnseededDraw) -> str:
        text = self._message(u)
        if u.seed_hint and not u.seeded_later:
            text += (
                f" (if `{u.seed_hint}` seeds {apis.LIBRARY_TITLE[self.lib]}, "
                "list it in `seed-functions`)"
            )
        return text

    def _message(self, u: UnseededDraw) -> str:
        api = u.draw.api
        title = apis.LIBRARY_TITLE[self.lib]
        entry = u.entry.path
        if u.at_import:
            return (
                f"`{api}` runs at import time of {u.facts.path}, before {entry} seeds {title}: "
                f"draw inside a function, or seed before the import"
            )
        if u.seeded_later:
            return (
                f"`{api}` draws from {title} before {entry} seeds it: "
                f"move `{self.seed_hint}` (or `seed_everything(...)`) ahead of this call"
            )
        if u.entropy_seeded:
            return (
                f"`{api}` draws from {title}, which {entry} seeds only with a seed that changes "
                f"on every run (see RNG201): seed it with a fixed value"
            )
        return (
            f"`{api}` draws from {title}, which {entry} never seeds: call `{self.seed_hint}` "
            f"(or `seed_everything(...)`) at the start of its main flow"
        )


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
    fix_safety = _FIX_SAFETY
    summary = "legacy `numpy.random.*` draw while NumPy's global RNG is unseeded"
    lib = apis.NUMPY
    seed_hint = "np.random.seed(...)"
    what = (
        "Finds draws from NumPy's legacy global `RandomState` (`np.random.rand`, `randn`, "
        "`shuffle`, `choice`, … — the 50 functions of `numpy.random`) that run before the "
        "program seeds it.\n" + _WHEN.format(lib="NumPy")
    )
    why = (
        "NumPy's global generator is seeded from OS entropy at import: every run draws "
        "different numbers. Seeding torch does not seed NumPy, and neither does seeding "
        "Python's `random`."
    )
    how_to_fix = (
        "Seed it at the start of the main flow (`np.random.seed(seed)` or "
        "`seedlint_runtime.seed_everything(seed)`), or better, draw from a generator you pass "
        "around: `rng = np.random.default_rng(seed)`; `rng.normal(...)`."
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
    ]


class UnseededTorchGlobal(_UnseededGlobal):
    code = "RNG003"
    name = "unseeded-torch-global"
    fixable = "unsafe"
    fix_safety = _FIX_SAFETY
    summary = "draw from torch's default generator while torch is unseeded"
    lib = apis.TORCH
    seed_hint = "torch.manual_seed(...)"
    what = (
        "Finds draws from torch's default generator — `torch.rand*`, `randperm`, `normal`, "
        "`bernoulli`, `multinomial`, `Tensor.uniform_`/`normal_`/…, the random `nn.init` "
        "initialisers and dropout in functional form (unless `training=False`), `torch.distributions` "
        "samples — that run before the program seeds torch. Calls given `generator=` draw from that generator and are not reported; "
        "data-order APIs are RNG302/RNG303; layer constructors are not reported.\n"
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
            lines=(9,),
            note="the model is built (and initialised) before the seed; forward runs after it",
        ),
    ]
    valid: ClassVar[list[Valid]] = [
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
