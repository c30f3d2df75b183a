"""The whole-program analysis: modules from paths, the import graph, name resolution across
files, entry points, and for every entry point an abstract run (:mod:`seedlint.engine.interp`)
that tells which draws run before their library is seeded. Modules no entry point reaches are
library code.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Optional

from seedlint.engine import contexts
from seedlint.engine.facts import Call, ClassFacts, FileFacts, Import, Seed, Target
from seedlint.engine.interp import EntryRun, Runner
from seedlint.engine.runstore import Dep, RunStore, Unit

FuncKey = tuple[str, str]  # (file key, scope qualname)

__all__ = ["EntryRun", "Program"]


class Files(dict[str, FileFacts]):
    """``Program.files``: while a run is recorded (:meth:`Program.recording`), every file whose
    facts are looked up is noted in ``log``: what the run's result depends on. Membership
    (``key in files``) is not noted: which files exist is part of the program's identity."""

    __slots__ = ("log",)

    def __init__(self, files: Mapping[str, FileFacts]) -> None:
        super().__init__(files)
        self.log: Optional[set[Dep]] = None

    def __getitem__(self, key: str) -> FileFacts:
        log = self.log
        if log is not None:
            log.add(key)
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None, /) -> Any:
        log = self.log
        if log is not None:
            log.add(key)
        return dict.get(self, key, default)


class Program:
    """Files analysed together. ``files`` maps a file key (absolute path) to its facts.

    ``store``: the entry points' runs of an earlier analysis of the same files, with what each
    depended on (:mod:`seedlint.engine.runstore`): a run none of whose inputs changed is taken
    from there instead of being run again. ``runs()`` leaves the runs of this analysis, with
    their inputs, in ``recorded``."""

    def __init__(
        self,
        files: dict[str, FileFacts],
        entry_patterns: Sequence[str] = (),
        root: Optional[str] = None,
        link_imports: bool = True,
        store: Optional[RunStore] = None,
    ) -> None:
        self.files = Files(files)
        self.store = store
        self.recorded: Optional[RunStore] = None
        #: Units run (an entry point; the pytest tests together), and taken from ``store``.
        self.units = 0
        self.units_reused = 0
        #: The content key of every file (``runner``'s cache keys): set to record the runs.
        self.content: dict[str, str] = {}
        self._logs: list[set[Dep]] = []
        self.link_imports = link_imports
        self.root = root or _common_dir(list(files))
        # Linting ``mypkg/`` itself: the package's parent is where its absolute imports start.
        while os.path.join(self.root, "__init__.py") in files:
            parent = os.path.dirname(self.root)
            if parent == self.root:
                break
            self.root = parent
        self.entry_patterns = tuple(entry_patterns)
        self._dirs: set[str] = set()
        for key in files:
            d = os.path.dirname(key)
            while d and d not in self._dirs:
                self._dirs.add(d)
                parent = os.path.dirname(d)
                if parent == d:
                    break
                d = parent
        self._top_level: dict[str, list[str]] = {}
        for path in sorted(self._dirs, key=len):
            top_package = os.path.join(path, "__init__.py") in files and (
                os.path.join(os.path.dirname(path), "__init__.py") not in files
            )
            if len(path) > len(self.root) and top_package:
                self._top_level.setdefault(os.path.basename(path), []).append(path)
        #: Per function: what it seeds, what it calls, the files read to know (``_calls_of``);
        #: what it seeds transitively and the files that is computed from (``_close``).
        self._calls: dict[FuncKey, tuple[frozenset[str], list[FuncKey], frozenset[str]]] = {}
        self._closure: dict[FuncKey, tuple[frozenset[str], frozenset[str]]] = {}
        #: (importing file or its folder, level, dotted) → the module's file.
        self._module_memo: dict[tuple[str, int, str], Optional[str]] = {}
        #: Memos keep what each answer was computed from, for the runs that reuse it.
        self._resolve_memo: dict[
            tuple[str, Target], tuple[list[tuple[str, str, str]], frozenset[Dep]]
        ] = {}
        self._classes_memo: dict[
            tuple[str, str], tuple[list[tuple[str, ClassFacts]], frozenset[Dep]]
        ] = {}
        self._runs: Optional[list[EntryRun]] = None
        #: What importing a module does to a run that has done nothing else yet (shared by
        #: the entry points: see ``interp.Runner._replay_import``).
        self.import_snapshots: dict[object, object] = {}
        #: What each snapshot was computed from (its runs depend on that too).
        self.import_snapshot_deps: dict[object, frozenset[Dep]] = {}
        self.import_requests: set[object] = set()
        self.share_imports = True
        self._imported_by_code_cache: Optional[set[str]] = None
        #: Files imported by any analysed file, and by files that are not tests.
        self._imported_sets: Optional[tuple[set[str], set[str]]] = None
        self._randomly: dict[str, bool] = {}

    # --- modules -------------------------------------------------------------------------------

    def module_file(self, from_key: str, level: int, dotted: str) -> Optional[str]:
        """The file (or namespace directory) that ``import dotted`` from ``from_key`` reaches."""
        if not self.link_imports:
            return None
        exact = (from_key, level, dotted)
        if exact in self._module_memo:  # the hot path: no path arithmetic
            return self._module_memo[exact]
        memo_key = (os.path.dirname(from_key), level, dotted)
        if memo_key in self._module_memo:
            found = self._module_memo[memo_key]
        else:
            found = self._module_memo[memo_key] = self._find_module(from_key, level, dotted)
        self._module_memo[exact] = found
        return found

    def _find_module(self, from_key: str, level: int, dotted: str) -> Optional[str]:
        parts = dotted.split(".") if dotted else []
        if level > 0:
            base = os.path.dirname(from_key)
            for _ in range(level - 1):
                base = os.path.dirname(base)
            return self._module_in(base, parts)
        base = os.path.dirname(from_key)
        while True:
            found = self._module_in(base, parts)
            if found is not None:
                return found
            if base == self.root or len(base) <= len(self.root):
                break
            parent = os.path.dirname(base)
            if parent == base:
                break
            base = parent
        # Other source roots (``src/`` layouts, ``python/pkg``): wherever the top-level name is
        # a top-level package of the project, nearest to the root first.
        for candidate in self._top_level.get(parts[0], ()) if parts else ():
            found = self._module_in(os.path.dirname(candidate), parts)
            if found is not None:
                return found
        return None

    def _module_in(self, base: str, parts: list[str]) -> Optional[str]:
        path = os.path.join(base, *parts) if parts else base
        if parts:
            as_file = path + ".py"
            if as_file in self.files:
                return as_file
        init = os.path.join(path, "__init__.py")
        if init in self.files:
            return init
        if parts and path in self._dirs:
            return path  # a namespace package
        return None

    def _package_inits(self, key: str) -> list[str]:
        """``pkg/__init__.py`` files that importing ``key`` runs first, outermost first."""
        out: list[str] = []
        d = os.path.dirname(key)
        if key.endswith("__init__.py"):
            d = os.path.dirname(d)
        while len(d) >= len(self.root):
            init = os.path.join(d, "__init__.py")
            if init in self.files and init != key:
                out.append(init)
            else:
                break
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
        return list(reversed(out))

    # --- names -------------------------------------------------------------------------------

    def resolve(self, key: str, target: Target, depth: int = 0) -> list[tuple[str, str, str]]:
        """Project definitions ``target`` names from file ``key``: [(kind, file, qualname)].

        kind is "function", "class" or "module" (qualname "" for modules).
        """
        if depth > 8:
            return []
        if depth == 0:
            memo = self._resolve_memo.get((key, target))
            if memo is None:
                with self.recording() as deps:
                    found = self.resolve(key, target, 1)
                memo = self._resolve_memo[(key, target)] = (found, frozenset(deps))
            else:
                self.depends_on(memo[1])
            return memo[0]
        kind = target[0]
        facts = self.files.get(key)
        if facts is None:
            return []
        if kind == "local":
            return self._local(key, str(target[1]))
        if kind == "import":
            return self._imported(key, int(target[1]), str(target[2]), depth)
        if kind in ("self", "super"):
            cls, method = str(target[1]), str(target[2])
            found = self._method(key, cls, method, skip_self=kind == "super", depth=depth)
            return found
        if kind == "stars":
            # ``from a import *; from b import *``: the last one that defines the name wins
            for level, module in reversed(facts.star_exports):
                dotted = f"{module}.{target[1]}" if module else str(target[1])
                found = self._imported(key, level, dotted, depth + 1)
                if found:
                    return found
        return []

    def _local(self, key: str, qual: str) -> list[tuple[str, str, str]]:
        facts = self.files[key]
        if qual in facts.classes:
            return [("class", key, qual)]
        if qual in facts.scopes and qual:
            return [("function", key, qual)]
        return []

    def _imported(
        self, key: str, level: int, dotted: str, depth: int
    ) -> list[tuple[str, str, str]]:
        parts = dotted.split(".") if dotted else []
        for cut in range(len(parts), -1, -1):
            if cut == 0 and level == 0:
                break
            mod = self.module_file(key, level, ".".join(parts[:cut]))
            if mod is None:
                continue
            rest = parts[cut:]
            if not rest:
                return [("module", mod, "")]
            if mod not in self.files:
                return []  # namespace directory, attribute not a module
            local = self._local(mod, ".".join(rest))
            if local:
                return local
            # Re-exported through the module's imports (``from .seed import set_seed``).
            exported = self.files[mod].exports.get(rest[0])
            if exported is not None:
                return self.resolve(
                    mod,
                    ("import", exported[0], ".".join([exported[1], *rest[1:]]).strip(".")),
                    depth + 1,
                )
            # ``from .impl import *`` in the module.
            for star_level, star_module in self.files[mod].star_exports:
                found = self.resolve(
                    mod,
                    ("import", star_level, ".".join([star_module, *rest]).strip(".")),
                    depth + 1,
                )
                if found:
                    return found
            return []
        return []

    def module_variable(
        self, key: str, target: Target, depth: int = 0
    ) -> Optional[tuple[str, str]]:
        """(file, name) of a module-level variable of the project that an imported name refers
        to (``from transforms import AUGMENTATIONS``), through re-exports; None otherwise."""
        if depth > 8 or target[0] != "import":
            return None
        level, dotted = int(target[1]), str(target[2])
        parts = dotted.split(".")
        if len(parts) < 2 and level == 0:
            return None
        mod = self.module_file(key, level, ".".join(parts[:-1]))
        if mod is None or mod not in self.files:
            return None
        name = parts[-1]
        exported = self.files[mod].exports.get(name)
        if exported is not None:
            return self.module_variable(mod, ("import", exported[0], exported[1]), depth + 1)
        return (mod, name)

    def _method(
        self, key: str, cls: str, method: str, skip_self: bool, depth: int
    ) -> list[tuple[str, str, str]]:
        seen: set[tuple[str, str]] = set()
        stack: list[tuple[str, str, bool]] = [(key, cls, skip_self)]
        while stack:
            k, c, skip = stack.pop(0)
            if (k, c) in seen or len(seen) > 50:
                continue
            seen.add((k, c))
            facts = self.files.get(k)
            if facts is None or c not in facts.classes:
                continue
            info = facts.classes[c]
            if not skip and method in info.methods:
                return [("function", k, f"{c}.{method}")]
            for base in info.bases:
                for kind, bk, bq in self.resolve(k, base, depth + 1):
                    if kind == "class":
                        stack.append((bk, bq, False))
        return []

    def classes_of(self, key: str, cls: str) -> list[tuple[str, ClassFacts]]:
        """A class and its project bases (method resolution order, roughly)."""
        memo = self._classes_memo.get((key, cls))
        if memo is None:
            with self.recording() as deps:
                found = self._classes_of(key, cls)
            memo = self._classes_memo[(key, cls)] = (found, frozenset(deps))
        else:
            self.depends_on(memo[1])
        return memo[0]

    def _classes_of(self, key: str, cls: str) -> list[tuple[str, ClassFacts]]:
        out: list[tuple[str, ClassFacts]] = []
        stack = [(key, cls)]
        seen: set[tuple[str, str]] = set()
        while stack and len(seen) < 50:
            k, c = stack.pop(0)
            if (k, c) in seen or c not in self.files[k].classes:
                continue
            seen.add((k, c))
            info = self.files[k].classes[c]
            out.append((k, info))
            for base in info.bases:
                stack.extend((bk, bq) for kind, bk, bq in self.resolve(k, base) if kind == "class")
        return out

    # --- seeding effects -------------------------------------------------------------------------

    def seed_effect(self, func: FuncKey) -> frozenset[str]:
        """Libraries a project function seeds, wherever in its body (transitively: the union
        over the functions its calls reach). A run that asks depends on the files this answer
        is computed from (those functions' files and those their calls were resolved
        through)."""
        found = self._closure.get(func)
        if found is None:
            with self._unrecorded():
                self._close(func)
            found = self._closure[func]
        if self.files.log is not None:
            self.files.log |= found[1]
        return found[0]

    def _calls_of(self, func: FuncKey) -> tuple[frozenset[str], list[FuncKey], frozenset[str]]:
        """What ``func`` seeds itself, the project functions it calls, and the files read to
        know them."""
        memo = self._calls.get(func)
        if memo is not None:
            return memo
        key, qual = func
        facts = dict.get(self.files, key)
        scope = facts.scopes.get(qual) if facts is not None and qual else None
        libs: set[str] = set()
        outs: list[FuncKey] = []
        with self.recording() as read:
            for ev in scope.events if scope is not None else ():
                if isinstance(ev, Seed):
                    libs |= ev.libs
                elif isinstance(ev, Call) and not ev.value:
                    for kind, k, q in self.resolve(key, _plain(ev.target)):
                        if kind == "function":
                            outs.append((k, q))
        read.add(key)
        memo = self._calls[func] = (frozenset(libs), outs, frozenset(read))
        return memo

    def _close(self, func: FuncKey) -> None:
        """``_closure`` for ``func`` and what it reaches: Tarjan's strongly connected
        components of the call graph, each closed over the components it calls."""
        memo = self._closure
        index: dict[FuncKey, int] = {}
        low: dict[FuncKey, int] = {}
        stack: list[FuncKey] = []
        on_stack: set[FuncKey] = set()
        work: list[tuple[FuncKey, int]] = [(func, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                if node in memo or node in index:
                    continue
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            outs = self._calls_of(node)[1]
            while i < len(outs):
                nxt = outs[i]
                i += 1
                if nxt in memo:
                    continue
                if nxt not in index:
                    work.append((node, i))
                    work.append((nxt, 0))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                if low[node] == index[node]:  # the root of a component: close it
                    members: list[FuncKey] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    libs: set[str] = set()
                    files: set[str] = set()
                    for member in members:
                        own, calls, read = self._calls_of(member)
                        libs |= own
                        files |= read
                        for out in calls:
                            if out in memo:
                                libs |= memo[out][0]
                                files |= memo[out][1]
                    closed = (frozenset(libs), frozenset(files))
                    for member in members:
                        memo[member] = closed
                if work:  # back in the caller: what the callee reaches, it reaches
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])

    # --- what runs depend on -----------------------------------------------------------------

    @contextlib.contextmanager
    def recording(self) -> Iterator[set[Dep]]:
        """Note what the code inside reads (files; see ``Files``). Nested recordings also count
        for the enclosing one."""
        log: set[Dep] = set()
        self._logs.append(log)
        self.files.log = log
        try:
            yield log
        finally:
            self._logs.pop()
            parent = self._logs[-1] if self._logs else None
            if parent is not None:
                parent |= log
            self.files.log = parent

    @contextlib.contextmanager
    def _unrecorded(self) -> Iterator[None]:
        self._logs.append(set())  # nested recordings land here, and are dropped
        self.files.log = self._logs[-1]
        try:
            yield
        finally:
            self._logs.pop()
            self.files.log = self._logs[-1] if self._logs else None

    def depends_on(self, deps: frozenset[Dep]) -> None:
        """What a shared result (a memo, an import snapshot) was computed from, for the run
        being recorded that uses it."""
        if self.files.log is not None:
            self.files.log |= deps

    def still_valid(self, deps: Sequence[Dep]) -> bool:
        """Do the files a stored run read have the same content now (see ``runstore``)?"""
        assert self.store is not None
        before, now = self.store.content, self.content
        return all(before.get(dep) == now.get(dep) for dep in deps)

    # --- entry points ----------------------------------------------------------------------------

    def imported_modules(self, by_tests: bool = True) -> set[str]:
        """Files some other analysed file imports (anywhere in its body); ``by_tests=False``:
        only imports made by files that are not tests."""
        if self._imported_sets is None:
            everyone: set[str] = set()
            not_tests: set[str] = set()
            for key, facts in self.files.items():
                out = not_tests if not contexts.is_test_file(facts.path) else everyone
                for scope in facts.scopes.values():
                    for ev in scope.events:
                        if isinstance(ev, Import):
                            out.update(m for m in self._import_targets(key, ev) if m != key)
            self._imported_sets = (everyone | not_tests, not_tests)
        return set(self._imported_sets[0] if by_tests else self._imported_sets[1])

    def _import_targets(self, key: str, ev: Import) -> list[str]:
        if ev.level == 0 and not ev.names:
            parts = ev.module.split(".")
            found = [self.module_file(key, 0, ".".join(parts[: i + 1])) for i in range(len(parts))]
            return [m for m in found if m is not None]
        mod = self.module_file(key, ev.level, ev.module)
        if mod is None:
            return []
        out = [mod]
        for name in ev.names:
            if name != "*":
                sub = self.module_file(key, ev.level, f"{ev.module}.{name}" if ev.module else name)
                if sub is not None and sub != mod:
                    out.append(sub)
        return out

    def entry_points(self) -> list[tuple[str, str]]:
        """(file key, reason) for every module meant to be run, sorted by path.

        Script code (a bare call, a loop…) at the top level of a module that other analysed
        modules import is import-time code of a library module, not a program of its own.
        """
        out: list[tuple[str, str]] = []
        imported = self.imported_modules() if self.link_imports else set()
        for key in sorted(self.files):
            facts = self.files[key]
            if facts.parse_error is not None:
                continue
            reason = facts.entry_reason
            if reason and reason.startswith("script code") and key in imported:
                reason = None
            if reason:
                out.append((key, reason))
            elif self.entry_patterns and _matches(facts.path, key, self.root, self.entry_patterns):
                out.append((key, "the entry-points setting"))
        return out

    def runs(self) -> list[EntryRun]:
        if self._runs is None:
            # Programs meant to be run (a __main__ guard, __main__.py, configured) come before
            # modules that are entry points only by script code: a finding names the former.
            ordered = sorted(
                self.entry_points(), key=lambda e: (e[1].startswith("script code"), e[0])
            )
            self.recorded = RunStore(dict(self.content)) if self.content else None
            runs: list[EntryRun] = []
            for key, reason in ordered:
                (run,) = self._unit(
                    ("entry", key, reason), lambda k=key, r=reason: [Runner(self, k, r).run()]
                )
                run.context = self.entry_context(key, reason)
                runs.append(run)
            conftests = {k for k in self.files if os.path.basename(k) == "conftest.py"}
            modules = [
                (key, tests, contexts.conftests_above(key, conftests), self.pytest_randomly(key))
                for key, tests in self.test_entries()
            ]
            if modules:
                spec = tuple((k, tuple(t), tuple(a), r) for k, t, a, r in modules)
                runs += self._unit(
                    ("tests", spec),
                    lambda: Runner(self, modules[0][0], "a pytest test").run_tests(modules),
                )
            self._runs = runs
        return self._runs

    def _unit(self, unit: Unit, compute: Any) -> list[EntryRun]:
        """The runs of one unit (an entry point, or all the pytest tests, which share their
        collection): from the store when nothing they read changed, else computed."""
        self.units += 1
        stored = self.store.get(unit) if self.store is not None else None
        if stored is not None and self.still_valid(stored.deps):
            self.units_reused += 1
            self.import_requests |= stored.requests
            if self.recorded is not None:
                self.recorded.keep(unit, stored)
            return RunStore.load(stored, self.files)
        before = set(self.import_requests)
        with self.recording() as deps:
            runs: list[EntryRun] = compute()
        if self.recorded is not None:
            requests = frozenset(self.import_requests - before)
            self.recorded.add(unit, deps, requests, runs, self.files)
        return runs

    def ranked_runs(self) -> list[EntryRun]:
        """The runs, the most important context first (program > demo > benchmark > test)."""
        return sorted(self.runs(), key=lambda r: contexts.CONTEXTS.index(r.context))

    # --- contexts --------------------------------------------------------------------------------

    def entry_context(self, key: str, reason: str) -> str:
        """program, demo (the ``__main__`` block of a module other analysed modules import),
        benchmark or test (by path)."""
        path = self.files[key].path
        if contexts.is_test_file(path):
            return contexts.TEST
        if contexts.is_benchmark_file(path):
            return contexts.BENCHMARK
        if (
            reason == "a __main__ guard"
            and key in self._imported_by_code()
            and not _command_line_program(self.files[key])
        ):
            return contexts.DEMO
        return contexts.PROGRAM

    def _imported_by_code(self) -> set[str]:
        """Files imported by analysed files that are not tests (a test importing a training
        script does not make its ``__main__`` block a demo)."""
        if self._imported_by_code_cache is None:
            self._imported_by_code_cache = self.imported_modules(by_tests=False)
        return self._imported_by_code_cache

    def test_entries(self) -> list[tuple[str, list[str]]]:
        """Test modules and their test functions (``test*`` functions, ``test*`` methods of
        ``Test*`` classes and of ``unittest.TestCase`` subclasses), in source order."""
        out: list[tuple[str, list[str]]] = []
        for key in sorted(self.files):
            facts = self.files[key]
            if facts.parse_error is not None or not contexts.is_test_module(facts.path):
                continue
            tests: list[tuple[int, str]] = []
            for qual, scope in facts.scopes.items():
                if not qual or scope.fixture:
                    continue
                head, _, name = qual.rpartition(".")
                if not name.startswith("test"):
                    continue
                if head and (head not in facts.classes or "." in head):
                    continue
                if head and not self._test_class(key, head):
                    continue
                tests.append((facts.function_lines.get(qual, (0, 0))[0], qual))
            if tests:
                out.append((key, [q for _, q in sorted(tests)]))
        return out

    def _test_class(self, key: str, cls: str) -> bool:
        if cls.startswith("Test") and "__init__" not in self.files[key].classes[cls].methods:
            return True
        for _, info in self.classes_of(key, cls):
            for base in info.bases:
                if base and str(base[-1]).rsplit(".", 1)[-1] in (
                    "TestCase",
                    "IsolatedAsyncioTestCase",
                ):
                    return True
        return False

    def pytest_randomly(self, key: str) -> bool:
        """Does a project that holds ``key`` declare ``pytest-randomly`` (``pyproject.toml``,
        ``setup.cfg``, ``setup.py``, ``requirements*.txt``, ``requirements/*.txt``)?"""
        d = os.path.dirname(key)
        while True:
            if d not in self._randomly:
                self._randomly[d] = _declares_randomly(d)
            if self._randomly[d]:
                return True
            parent = os.path.dirname(d)
            if parent == d:
                return False
            d = parent


#: Libraries that read a command line: a module importing one is a program of its own, also when
#: other modules import it (yolov5's ``val.py``, imported by ``train.py``), not a demo block.
_CLI_LIBRARIES = frozenset(
    {
        "argparse",
        "click",
        "typer",
        "fire",
        "hydra",
        "absl",
        "jsonargparse",
        "tyro",
        "simple_parsing",
    }
)


def _command_line_program(facts: FileFacts) -> bool:
    if facts.argparse:
        return True
    return any(dotted.split(".", 1)[0] in _CLI_LIBRARIES for _, dotted in facts.exports.values())


_RANDOMLY = re.compile(r"pytest[-_]randomly", re.IGNORECASE)


def _declares_randomly(folder: str) -> bool:
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    candidates = [
        n
        for n in names
        if n in ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", "Pipfile")
        or (n.startswith("requirements") and n.endswith((".txt", ".in")))
    ]
    if "requirements" in names and os.path.isdir(os.path.join(folder, "requirements")):
        with contextlib.suppress(OSError):
            candidates += [
                os.path.join("requirements", n)
                for n in os.listdir(os.path.join(folder, "requirements"))
                if n.endswith((".txt", ".in"))
            ]
    for name in candidates:
        try:
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as fh:
                if _RANDOMLY.search(fh.read(1_000_000)):
                    return True
        except OSError:
            continue
    return False


def _plain(target: Target) -> Target:
    return target[:-1] if target and target[-1] == "seedlike" else target


def _is_seedlike(target: Target) -> bool:
    return bool(target) and target[-1] == "seedlike"


def _matches(path: str, key: str, root: str, patterns: Sequence[str]) -> bool:
    rel = os.path.relpath(key, root).replace(os.sep, "/")
    display = path.replace(os.sep, "/")
    for pat in patterns:
        for candidate in (rel, display, display.lstrip("./")):
            if fnmatch.fnmatch(candidate, pat) or fnmatch.fnmatch(candidate, f"*/{pat}"):
                return True
    return False


def _common_dir(keys: list[str]) -> str:
    if not keys:
        return os.getcwd()
    try:
        common = os.path.commonpath([os.path.dirname(k) for k in keys])
    except ValueError:
        return os.path.dirname(keys[0])
    return common
