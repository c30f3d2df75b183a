"""The entry points' runs of an analysis, with what each depended on, kept for the next one.

An entry point's run (:mod:`seedlint.engine.interp`) is a function of the facts it reads: the
files whose facts it looked up (its own, what it imports, where it resolved a name, the bases
of the classes it built) and the answers of whole-program questions it asked (what a function
seeds, transitively). :class:`seedlint.engine.program.Program` notes these while the run is
made; a later analysis of the same files (same paths, same settings, same seedlint) takes a
run from here when every file it read (and every file such an answer is computed from) has
the same content, and runs only the others again. The pytest tests are one unit: they share collection.

Runs are pickled without the facts they point to (a file's facts are named by the file's key
and taken from the new analysis on loading), so a stored run costs a few kilobytes.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from seedlint.engine.facts import FileFacts

if TYPE_CHECKING:
    from seedlint.engine.interp import EntryRun

#: What a run read: a file, by its key (for what a function seeds, transitively: the files that
#: answer is computed from).
Dep = str
#: ("entry", file key, reason) for an entry point; ("tests", modules) for the pytest tests.
Unit = tuple[Any, ...]


@dataclass(frozen=True)
class Stored:
    deps: tuple[Dep, ...]
    #: Import snapshots the unit asked for first (``interp.Runner._replay_import``): a run
    #: taken from the store asks again, so that the runs after it decide as they did.
    requests: frozenset[object]
    payload: bytes


@dataclass
class RunStore:
    """Units and their runs; ``content``: the content key of every file when they were made."""

    content: dict[str, str]
    units: dict[Unit, Stored] = field(default_factory=dict)

    def get(self, unit: Unit) -> Stored | None:
        return self.units.get(unit)

    def keep(self, unit: Unit, stored: Stored) -> None:
        self.units[unit] = stored

    def add(
        self,
        unit: Unit,
        deps: Iterable[Dep],
        requests: frozenset[object],
        runs: list[EntryRun],
        files: dict[str, FileFacts],
    ) -> None:
        self.units[unit] = Stored(tuple(deps), requests, dump_runs(runs, files))

    @staticmethod
    def load(stored: Stored, files: dict[str, FileFacts]) -> list[EntryRun]:
        return load_runs(stored.payload, files)


def dump_runs(runs: list[EntryRun], files: dict[str, FileFacts]) -> bytes:
    keys = {id(facts): key for key, facts in files.items()}  # ``items`` notes no read

    class _Pickler(pickle.Pickler):
        def persistent_id(self, obj: object) -> object:
            return keys[id(obj)] if isinstance(obj, FileFacts) else None

    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(runs)
    return buf.getvalue()


def load_runs(payload: bytes, files: dict[str, FileFacts]) -> list[EntryRun]:
    class _Unpickler(pickle.Unpickler):
        def persistent_load(self, pid: object) -> object:
            assert isinstance(pid, str)
            return files[pid]

    runs = _Unpickler(io.BytesIO(payload)).load()
    assert isinstance(runs, list)
    return runs
