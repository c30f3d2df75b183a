"""Per-file results cache: facts keyed by the file's bytes, its path, the settings that shape the
facts and seedlint's own code. A changed file, setting or seedlint version misses; writes are
atomic (a temporary file renamed into place), so concurrent runs never see a partial entry, and
a damaged entry is a miss, never an error. Entries no run has used for a day are pruned once
the cache holds many more entries than the run needed.

Entries are pickles, and unpickling runs code: a repository could ship a crafted
``.seedlint_cache/``. So every entry carries an HMAC made with a secret that never leaves the
user's machine (``$XDG_CACHE_HOME/seedlint/secret``, created on first use, mode 0600; a process
that cannot keep one uses a fresh secret, i.e. no cache across runs); an entry whose HMAC does
not match is a miss and is never unpickled. A cache directory that is a symbolic link is not
used (writes and pruning would land outside the tree)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import tempfile
import time
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from seedlint.engine.facts import FileFacts
from seedlint.engine.runstore import RunStore

DIRNAME = ".seedlint_cache"
#: Entries older than this and not used by the current run may be pruned.
PRUNE_AGE_S = 24 * 3600


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


_SECRET_BYTES = 32
_RUN = "run-"
_RUNS = "runs-"


@lru_cache(maxsize=1)
def _secret() -> bytes:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "seedlint", "secret")
    try:
        with open(path, "rb") as fh:
            secret = fh.read()
        if len(secret) == _SECRET_BYTES:
            return secret
    except OSError:
        pass
    secret = os.urandom(_SECRET_BYTES)
    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(secret)
        os.chmod(tmp, 0o600)
        with contextlib.suppress(OSError):
            os.link(tmp, path)  # first writer wins: concurrent runs agree on one secret
        os.unlink(tmp)
        with open(path, "rb") as fh:
            kept = fh.read()
        if len(kept) == _SECRET_BYTES:
            secret = kept
    return secret


class Cache:
    def __init__(self, directory: str, settings_key: str) -> None:
        self.directory = directory
        self.prefix = f"{_code_fingerprint()}:{settings_key}:".encode()
        self.secret = _secret()
        self.usable = not os.path.islink(directory)

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self.secret, payload, hashlib.sha256).digest()

    def key(self, path: str, data: bytes) -> str:
        h = hashlib.blake2b(self.prefix, digest_size=20)
        h.update(path.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
        h.update(data)
        return h.hexdigest()

    def _file(self, key: str) -> str:
        # Per-file facts are ``.pickle``; a whole run's result (key prefixed "run-") ``.run``;
        # the entry points' runs with what they depend on (prefixed "runs-") ``.runs``.
        for prefix, suffix in ((_RUNS, ".runs"), (_RUN, ".run")):
            if key.startswith(prefix):
                key = key[len(prefix) :]
                return os.path.join(self.directory, key[:2], key[2:] + suffix)
        return os.path.join(self.directory, key[:2], key[2:] + ".pickle")

    def get(self, key: str) -> Optional[FileFacts]:
        value = self._load(key)
        return value if isinstance(value, FileFacts) else None

    def get_run(self, key: str) -> Optional[tuple[Any, ...]]:
        """A whole run's result stored under ``key`` (see ``runner.lint``)."""
        value = self._load(_RUN + key)
        if value is not None:
            self.touch(_RUN + key)
        return value if isinstance(value, tuple) else None

    def put_run(self, key: str, value: tuple[Any, ...]) -> None:
        self._store(_RUN + key, value)

    def get_runs(self, program: str) -> Optional[RunStore]:
        """The entry points' runs of the last analysis of ``program`` (its files and settings;
        see ``runstore``): the store of the state it was last analysed in."""
        state = self._load(_RUNS + program)
        if not isinstance(state, str):
            return None
        value = self._load(_RUNS + state)
        if value is not None:
            self.touch(_RUNS + state)
        return value if isinstance(value, RunStore) else None

    def put_runs(self, program: str, state: str, value: RunStore) -> None:
        """Store the runs of ``program`` in ``state`` (the whole run's key: the files' contents
        too) and make it the last state analysed."""
        self._store(_RUNS + state, value)
        self.set_last_state(program, state)

    def set_last_state(self, program: str, state: str) -> None:
        """``program`` was last analysed in ``state`` (a run whose result was stored: going
        back to an earlier version of a file takes the runs of that version)."""
        if self._load(_RUNS + program) != state:
            self._store(_RUNS + program, state)

    def _load(self, key: str) -> object:
        if not self.usable:
            return None
        try:
            with open(self._file(key), "rb") as fh:
                blob = fh.read()
        except OSError:
            return None
        mac, payload = blob[:32], blob[32:]
        if len(mac) != 32 or not hmac.compare_digest(mac, self._sign(payload)):
            return None  # not written by this user's seedlint: never unpickled
        try:
            return pickle.loads(payload)
        except (EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
            return None

    def put(self, key: str, facts: FileFacts) -> None:
        self._store(key, facts)

    def _store(self, key: str, value: object) -> None:
        if not self.usable:
            return
        target = self._file(key)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            marker = os.path.join(self.directory, ".gitignore")
            if not os.path.exists(marker):
                with open(marker, "w") as fh:
                    fh.write("# created by seedlint\n*\n")
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(self._sign(payload) + payload)
            os.replace(tmp, target)
        except OSError:
            pass  # a read-only tree: run without the cache

    def prune(self, used: Collection[str], now: Optional[float] = None) -> int:
        if not self.usable:
            return 0
        return self._prune(used, now)

    def _prune(self, used: Collection[str], now: Optional[float] = None) -> int:
        """Delete stale entries (not in ``used``, untouched for PRUNE_AGE_S) once the cache holds
        more than twice what this run used (plus some slack): edits leave old entries behind,
        and the cache must not grow without bound. Returns how many were deleted."""
        try:
            subdirs = [e for e in os.scandir(self.directory) if e.is_dir() and len(e.name) == 2]
        except OSError:
            return 0
        entries: list[tuple[str, str]] = []
        for sub in subdirs:
            try:
                entries.extend(
                    (sub.name + e.name.rsplit(".", 1)[0], e.path)
                    for e in os.scandir(sub.path)
                    if e.name.endswith((".pickle", ".run", ".runs"))
                )
            except OSError:
                continue
        if len(entries) <= 2 * len(used) + 256:
            return 0
        cutoff = (time.time() if now is None else now) - PRUNE_AGE_S
        removed = 0
        for key, path in entries:
            if key in used:
                continue
            try:
                if os.stat(path).st_mtime < cutoff:
                    os.unlink(path)
                    removed += 1
            except OSError:
                pass  # another run removed or replaced it
        return removed

    def touch(self, key: str) -> None:
        """Mark an entry as used now (so that pruning keeps it)."""
        with contextlib.suppress(OSError):
            os.utime(self._file(key))
