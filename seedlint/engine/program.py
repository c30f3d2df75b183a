"""The whole-program analysis: modules from paths, the import graph, the call graph, and, for
every entry point, which draws run before their library is seeded.

Each entry point is *run* abstractly, in source order: importing a project module runs its top
level (package ``__init__`` first); calling a project function or instantiating a project class
walks its body; a seeding call marks its libraries seeded. A draw met while its library is not
seeded is unseeded for that entry point. Code that runs later through paths the analysis cannot
follow (``model(x)`` reaching ``forward``, methods of instantiated classes, callbacks, methods
called on objects of unknown type) runs after the main flow's seeding: it is unseeded only when
the entry point never seeds that library. Modules no entry point reaches are library code.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Optional, Union

from seedlint import apis
from seedlint.engine.facts import (
    Call,
    ClassFacts,
    Condition,
    Draw,
    Event,
    FileFacts,
    Import,
    ScopeFacts,
    Seed,
    Target,
)
from seedlint.findings import Span

FuncKey = tuple[str, str]  # (file key, scope qualname)
#: Nesting bound for the abstract run (up to four Python frames a level stay under the
#: default recursion limit of 1000).
_MAX_DEPTH = 200


@dataclass(frozen=True)
class UnseededDraw:
    facts: FileFacts
    draw: Draw
    entry: FileFacts
    #: The draw runs at import time of a module other than the entry point.
    at_import: bool
    #: The entry point seeds this library, but only after the draw.
    seeded_later: bool
    #: A function the entry point calls that looks like a seeder but is not among the analysed
    #: files (``labtools.reseed``): the message suggests listing it in ``seed-functions``.
    seed_hint: Optional[str] = None
    #: Reached by following calls in order (not only through code that "runs later").
    followed: bool = True
    #: The entry point seeds this library, but only from a seed that changes every run.
    entropy_seeded: bool = False
    #: Runs while the entry point's own top level (outside its ``__main__`` guard) executes:
    #: a seed must go before that code, not into the guard.
    before_guard: bool = False


@dataclass
class EntryRun:
    entry: FileFacts
    seeded: set[str] = field(default_factory=set)
    unseeded: list[UnseededDraw] = field(default_factory=list)
    #: Where this run first seeds torch with a fixed seed: the call in the entry point that
    #: leads to it (or the seeding call itself), as (file, span, order).
    torch_seed: Optional[tuple[FileFacts, Span, int]] = None
    #: Files whose top level this run executed (the entry point and what it imports).
    modules: set[str] = field(default_factory=set)


class Program:
    """Files analysed together. ``files`` maps a file key (absolute path) to its facts."""

    def __init__(
        self,
        files: dict[str, FileFacts],
        entry_patterns: Sequence[str] = (),
        root: Optional[str] = None,
        link_imports: bool = True,
    ) -> None:
        self.files = files
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
        self._effects: Optional[dict[FuncKey, frozenset[str]]] = None
        #: (importing file or its folder, level, dotted) → the module's file.
        self._module_memo: dict[tuple[str, int, str], Optional[str]] = {}
        self._resolve_memo: dict[tuple[str, Target], list[tuple[str, str, str]]] = {}
        self._classes_memo: dict[tuple[str, str], list[tuple[str, ClassFacts]]] = {}
        self._runs: Optional[list[EntryRun]] = None

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
                memo = self._resolve_memo[(key, target)] = self.resolve(key, target, 1)
            return memo
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
            memo = self._classes_memo[(key, cls)] = self._classes_of(key, cls)
        return memo

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
        """Libraries a project function seeds, wherever in its body (transitively)."""
        if self._effects is None:
            self._effects = self._compute_effects()
        return self._effects.get(func, frozenset())

    def _compute_effects(self) -> dict[FuncKey, frozenset[str]]:
        direct: dict[FuncKey, set[str]] = {}
        callees: dict[FuncKey, list[FuncKey]] = {}
        for key, facts in self.files.items():
            for qual, scope in facts.scopes.items():
                if not qual:
                    continue
                fk = (key, qual)
                libs: set[str] = set()
                outs: list[FuncKey] = []
                for ev in scope.events:
                    if isinstance(ev, Seed):
                        if ev.deterministic:
                            libs |= ev.libs
                    elif isinstance(ev, Call) and not ev.value:
                        resolved = self.resolve(key, _plain(ev.target))
                        for kind, k, q in resolved:
                            if kind == "function":
                                outs.append((k, q))
                direct[fk] = libs
                callees[fk] = outs
        effects = {k: set(v) for k, v in direct.items()}
        changed = True
        rounds = 0
        while changed and rounds < 50:
            changed = False
            rounds += 1
            for fk, outs in callees.items():
                before = len(effects[fk])
                for o in outs:
                    effects[fk] |= effects.get(o, set())
                if len(effects[fk]) != before:
                    changed = True
        return {k: frozenset(v) for k, v in effects.items()}

    # --- entry points ----------------------------------------------------------------------------

    def imported_modules(self) -> set[str]:
        """Files some other analysed file imports (anywhere in its body)."""
        out: set[str] = set()
        for key, facts in self.files.items():
            for scope in facts.scopes.values():
                for ev in scope.events:
                    if isinstance(ev, Import):
                        for mod in self._import_targets(key, ev):
                            if mod != key:
                                out.add(mod)
        return out

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
            self._runs = [_Runner(self, key, reason).run() for key, reason in ordered]
        return self._runs

    def unseeded_draws(self, lib: str) -> list[UnseededDraw]:
        """Draws from ``lib``'s global generator that some entry point runs unseeded. The entry
        point named is the first, in ``runs()`` order, that reaches the draw by following calls;
        failing that, the first that reaches it through code that runs later."""
        best: dict[tuple[str, int], UnseededDraw] = {}
        for run in self.runs():
            for u in run.unseeded:
                if u.draw.lib != lib:
                    continue
                k = (u.facts.path, u.draw.order)
                if k not in best or (u.followed and not best[k].followed):
                    best[k] = u
        return list(best.values())


class _Runner:
    def __init__(self, program: Program, entry: str, reason: str) -> None:
        self.p = program
        self.entry = entry
        self.reason = reason
        self.state: set[str] = set()
        self.imported: set[str] = set()
        self.walked: dict[tuple[object, ...], frozenset[str]] = {}
        self.on_stack: set[FuncKey] = set()
        self.walked_draws: set[tuple[str, int]] = set()
        self.invisible: list[FuncKey] = []
        self.invisible_seen: set[FuncKey] = set()
        self.result = EntryRun(program.files[entry])
        self.seed_hints: list[str] = []
        #: Libraries this run seeds only from a seed that changes every run (RNG201).
        self.entropy_seeded: set[str] = set()
        #: Methods of the classes this run instantiates, by name (rapid type analysis: a call
        #: ``x.m()`` on an object of unknown type may reach only these).
        self.methods_by_name: dict[str, list[FuncKey]] = {}
        #: What calling ``x.m()`` may seed: the union over the methods named m registered so far.
        self.effects_by_name: dict[str, frozenset[str]] = {}
        #: Functions the ordered walk entered: their calls were followed with what is known
        #: of their arguments, so the "runs later" closure does not follow them again.
        self.walked_functions: set[FuncKey] = set()
        self.instantiated: set[tuple[str, str]] = set()
        #: The calls being followed (file key, call), outermost first.
        self.frames: list[tuple[str, Call]] = []
        #: The entry point's top level is being executed (not the "runs later" closure).
        self.top_level_walk = False

    def run(self) -> EntryRun:
        facts = self.p.files[self.entry]
        if self.reason == "the entry-points setting":
            for qual in facts.scopes:
                if qual and "." not in qual:
                    self._mark_invisible((self.entry, qual))
        self.top_level_walk = True
        self._exec_module(self.entry, as_main=True, depth=0)
        self.top_level_walk = False
        if not self.state >= apis.ALL_LIBRARIES | {apis.DETERMINISM}:
            # Code reached later runs after every seed of the main flow: with every library
            # seeded (and determinism on), nothing there can change a conclusion.
            self._close_invisible()
        self.result.seeded = set(self.state)
        self.result.modules = set(self.imported)
        self.result.unseeded = [
            UnseededDraw(
                u.facts,
                u.draw,
                u.entry,
                u.at_import,
                seeded_later=u.draw.lib in self.state,
                seed_hint=self.seed_hints[0] if self.seed_hints else None,
                followed=u.followed,
                entropy_seeded=u.draw.lib in self.entropy_seeded,
                before_guard=u.before_guard,
            )
            for u in self.result.unseeded
        ]
        return self.result

    # --- executing ------------------------------------------------------------------------------

    def _exec_module(self, key: str, as_main: bool, depth: int) -> None:
        if key in self.imported or key not in self.p.files:
            return
        for init in self.p._package_inits(key):
            if init not in self.imported:
                self._exec_module(init, as_main=False, depth=depth + 1)
        self.imported.add(key)
        facts = self.p.files[key]
        scope = facts.scopes.get("")
        if scope is None:
            return
        events = (
            scope.events if as_main else [e for e in scope.events if not facts.in_guard(e.order)]
        )
        self._walk(key, "", events, depth)

    def _walk(
        self,
        key: str,
        qual: str,
        events: Iterable[Event],
        depth: int,
        env: Optional[Env] = None,
    ) -> None:
        facts = self.p.files[key]
        conditions = facts.scopes[qual].conditions if env else None
        for ev in events:
            if conditions and not _holds(conditions.get(ev.order), env):
                continue  # under ``if flag:`` with flag known to be false here
            if isinstance(ev, Draw):
                self.walked_draws.add((key, ev.order))
                if ev.lib not in self.state:
                    self._unseeded(facts, ev, at_import=qual == "" and key != self.entry)
            elif isinstance(ev, Seed):
                left_none = (
                    env is not None
                    and ev.none_param is not None
                    and env.get(ev.none_param, _UNKNOWN) is None
                )
                if ev.deterministic and not left_none:
                    if apis.TORCH in ev.libs and self.result.torch_seed is None:
                        self._note_torch_seed(key, ev)
                    self.state |= ev.libs
                else:
                    self.entropy_seeded |= ev.libs
            elif isinstance(ev, Import):
                self._exec_import(key, ev, depth)
            elif isinstance(ev, Call):
                self._call(key, ev, depth, env)

    def _note_torch_seed(self, key: str, seed: Seed) -> None:
        if key != self.entry:
            for frame_key, call in reversed(self.frames):
                if frame_key == self.entry and call.span is not None:
                    self.result.torch_seed = (self.p.files[frame_key], call.span, call.order)
                    return
        if seed.span is not None:
            self.result.torch_seed = (self.p.files[key], seed.span, seed.order)

    def _unseeded(
        self, facts: FileFacts, draw: Draw, at_import: bool, followed: bool = True
    ) -> None:
        entry = self.p.files[self.entry]
        outer: Optional[tuple[str, int]] = None
        if self.frames:
            outer = (self.frames[0][0], self.frames[0][1].order)
        elif facts is entry:
            outer = (self.entry, draw.order)
        before_guard = (
            followed
            and outer is not None
            and outer[0] == self.entry
            and not entry.in_guard(outer[1])
            and self.top_level_walk
        )
        self.result.unseeded.append(
            UnseededDraw(
                facts,
                draw,
                entry,
                at_import,
                seeded_later=False,
                followed=followed,
                before_guard=before_guard,
            )
        )

    def _exec_import(self, key: str, ev: Import, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        if ev.level == 0 and not ev.names:
            parts = ev.module.split(".")
            for i in range(1, len(parts) + 1):
                mod = self.p.module_file(key, 0, ".".join(parts[:i]))
                if mod is not None:
                    self._exec_module(mod, as_main=False, depth=depth + 1)
            return
        mod = self.p.module_file(key, ev.level, ev.module)
        if mod is None:
            return
        self._exec_module(mod, as_main=False, depth=depth + 1)
        for name in ev.names:
            if name == "*":
                continue
            sub = self.p.module_file(key, ev.level, f"{ev.module}.{name}" if ev.module else name)
            if sub is not None and sub != mod:
                self._exec_module(sub, as_main=False, depth=depth + 1)

    def _call(self, key: str, ev: Call, depth: int, env: Optional[Env] = None) -> None:
        target = _plain(ev.target)
        if target[0] == "attr":
            if not ev.value:
                self.state |= self.effects_by_name.get(str(target[1]), frozenset())
            return
        resolved = self.p.resolve(key, target)
        if not resolved:
            if _is_seedlike(ev.target) and not ev.value and target[0] == "import":
                # Looks like a seeder but its code is not among the analysed files: not taken
                # as seeding (DESIGN: list it in seed-functions), but named in the message.
                name = str(target[2])
                if name not in self.seed_hints:
                    self.seed_hints.append(name)
            return
        for kind, k, q in resolved:
            if kind == "module":
                continue
            if ev.value:
                if kind == "function":
                    self._mark_invisible((k, q))
                continue
            args = _argument_values(ev, env)
            self.frames.append((key, ev))
            if kind == "function":
                self._walk_function((k, q), depth + 1, args)
            elif kind == "class":
                self._instantiate(k, q, depth + 1, args)
            self.frames.pop()

    def _instantiate(
        self, key: str, cls: str, depth: int, args: Optional[dict[Union[int, str], object]] = None
    ) -> None:
        self._register_class(key, cls)
        init = self.p._method(key, cls, "__init__", skip_self=False, depth=0)
        for _, k, q in init:
            self._walk_function((k, q), depth, args)

    def _register_class(self, key: str, cls: str) -> None:
        if (key, cls) in self.instantiated:
            return
        self.instantiated.add((key, cls))
        for k, info in self.p.classes_of(key, cls):
            for m in info.methods:
                fk = (k, f"{info.name}.{m}")
                self._mark_invisible(fk)
                self.methods_by_name.setdefault(m, []).append(fk)
                effect = self.p.seed_effect(fk)
                if effect:
                    self.effects_by_name[m] = self.effects_by_name.get(m, frozenset()) | effect

    def _walk_function(
        self, fk: FuncKey, depth: int, args: Optional[dict[Union[int, str], object]] = None
    ) -> None:
        if depth > _MAX_DEPTH or fk in self.on_stack:
            return
        key, qual = fk
        scope = self.p.files[key].scopes.get(qual)
        if scope is None:
            return
        env = _environment(scope, args or {})
        memo = (fk, frozenset(self.state), tuple(sorted((k, repr(v)) for k, v in env.items())))
        done = self.walked.get(memo)
        if done is not None:
            self.state |= done
            return
        self.on_stack.add(fk)
        self.walked_functions.add(fk)
        self._walk(key, qual, scope.events, depth, env)
        self.on_stack.discard(fk)
        self.walked[memo] = frozenset(self.state)

    def _mark_invisible(self, fk: FuncKey) -> None:
        if fk not in self.invisible_seen:
            self.invisible_seen.add(fk)
            self.invisible.append(fk)

    def _close_invisible(self) -> None:
        """Functions reached by paths the walk cannot follow run after the main flow's seeds."""
        i = 0
        while i < len(self.invisible):
            key, qual = self.invisible[i]
            i += 1
            if (key, qual) in self.walked_functions:
                continue
            facts = self.p.files.get(key)
            scope = facts.scopes.get(qual) if facts is not None else None
            if facts is None or scope is None:
                continue
            for ev in scope.events:
                if isinstance(ev, Seed) and apis.DETERMINISM in ev.libs:
                    self.state.add(apis.DETERMINISM)  # turned on later: still turned on
                elif isinstance(ev, Draw):
                    if (key, ev.order) not in self.walked_draws and ev.lib not in self.state:
                        self.walked_draws.add((key, ev.order))
                        self._unseeded(facts, ev, at_import=False, followed=False)
                elif isinstance(ev, Call):
                    target = _plain(ev.target)
                    if target[0] == "attr":
                        continue  # methods of instantiated classes are already marked
                    for kind, k, q in self.p.resolve(key, target):
                        if kind == "function":
                            self._mark_invisible((k, q))
                        elif kind == "class" and not ev.value:
                            self._register_class(k, q)
                elif isinstance(ev, Import):
                    mod = self.p.module_file(key, ev.level, ev.module)
                    if mod is not None and mod not in self.imported:
                        # A lazy import inside a function: its top level runs then.
                        self._exec_module(mod, as_main=False, depth=0)


_UNKNOWN = object()
Env = dict[str, object]


def _evaluate(cond: Condition, env: Env) -> Optional[bool]:
    """True/False when ``env`` decides ``cond``, None when it does not."""
    kind = cond[0]
    if kind == "truth":
        value = env.get(str(cond[1]), _UNKNOWN)
        return None if value is _UNKNOWN else bool(value)
    if kind == "not":
        inner = _evaluate(cond[1], env)  # type: ignore[arg-type]
        return None if inner is None else not inner
    if kind == "cmp":
        value = env.get(str(cond[1]), _UNKNOWN)
        if value is _UNKNOWN:
            return None
        op, other = cond[2], cond[3]
        try:
            if op == "is":
                return value is other
            if op == "is not":
                return value is not other
            if op == "==":
                return bool(value == other)
            if op == "!=":
                return bool(value != other)
            if op == "<":
                return bool(value < other)  # type: ignore[operator]
            if op == "<=":
                return bool(value <= other)  # type: ignore[operator]
            if op == ">":
                return bool(value > other)  # type: ignore[operator]
            if op == ">=":
                return bool(value >= other)  # type: ignore[operator]
        except TypeError:
            return None
        return None
    if kind in ("and", "or"):
        left = _evaluate(cond[1], env)  # type: ignore[arg-type]
        right = _evaluate(cond[2], env)  # type: ignore[arg-type]
        if kind == "and":
            if left is False or right is False:
                return False
            return True if left and right else None
        if left is True or right is True:
            return True
        return False if left is False and right is False else None
    return None


def _holds(conditions: Optional[tuple[Condition, ...]], env: Optional[Env]) -> bool:
    """Can code under ``conditions`` run, given the parameters known in ``env``?"""
    if not conditions or not env:
        return True
    return all(_evaluate(c, env) is not False for c in conditions)


def _value_of(kind: str, value: object, env: Optional[Env]) -> object:
    if kind == "lit":
        return value
    if kind == "param" and env and isinstance(value, str) and value in env:
        return env[value]
    if kind == "ifexp" and isinstance(value, tuple):
        test, then, other = value
        decided = _evaluate(test, env or {})
        if decided is not None:
            branch_kind, branch_value = then if decided else other
            return _value_of(branch_kind, branch_value, env)
    return _UNKNOWN


def _argument_values(ev: Call, env: Optional[Env]) -> dict[Union[int, str], object]:
    """What this call passes: the value where it is known, else ``_UNKNOWN``."""
    return {key: _value_of(kind, value, env) for key, kind, value in ev.args}


def _environment(scope: ScopeFacts, args: dict[Union[int, str], object]) -> Env:
    """The callee's parameters whose value is known for this call: passed literals, else the
    defaults of parameters the call does not pass."""
    passed: dict[str, object] = {}
    for key, value in args.items():
        if isinstance(key, int):
            if key < len(scope.params):
                passed[scope.params[key]] = value
        elif key not in ("*", "**"):
            passed[key] = value
    defaults = {} if "*" in args else scope.defaults
    env: Env = {k: v for k, v in defaults.items() if k not in passed}
    env.update((k, v) for k, v in passed.items() if v is not _UNKNOWN)
    for name in scope.reassigned:
        env.pop(name, None)
    return env


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
