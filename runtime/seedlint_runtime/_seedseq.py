"""NumPy's ``SeedSequence`` hashing, in pure Python (no numpy needed).

The algorithm is Melissa O'Neill's seed_seq replacement as NumPy implements it in
``numpy/random/bit_generator.pyx``: entropy (and a spawn key) is turned into uint32 words, mixed
into a pool of four words, and the pool is hashed into as many output words as asked for. The
same entropy and spawn key give the same words as ``numpy.random.SeedSequence`` (a property test
checks it against numpy when numpy is installed), so a stream derived here and one derived by
numpy from the same keys agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Union

_MASK32 = 0xFFFFFFFF
_POOL_SIZE = 4
_INIT_A = 0x43B0D7E5
_MULT_A = 0x931E8875
_INIT_B = 0x8B51F9DD
_MULT_B = 0x58F38DED
_MIX_MULT_L = 0xCA01F9DD
_MIX_MULT_R = 0x4973F715
_XSHIFT = 16

Entropy = Union[int, Sequence[int]]


def int_to_words(n: int) -> list[int]:
    """A non-negative integer as little-endian uint32 words (``0`` is ``[0]``)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"entropy must be a non-negative integer, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"entropy must be non-negative, got {n}")
    if n == 0:
        return [0]
    words = []
    while n > 0:
        words.append(n & _MASK32)
        n >>= 32
    return words


def _coerce(value: Entropy) -> list[int]:
    if isinstance(value, int):
        return int_to_words(value)
    words: list[int] = []
    for item in value:
        words.extend(int_to_words(item))
    return words


class _Hash:
    def __init__(self, init: int) -> None:
        self.const = init

    def hashmix(self, value: int) -> int:
        value = (value ^ self.const) & _MASK32
        self.const = (self.const * _MULT_A) & _MASK32
        value = (value * self.const) & _MASK32
        return value ^ (value >> _XSHIFT)


def _mix(x: int, y: int) -> int:
    result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _MASK32
    return result ^ (result >> _XSHIFT)


class SeedSequence:
    """``numpy.random.SeedSequence(entropy, spawn_key=...)``: ``generate_state`` only."""

    def __init__(self, entropy: Entropy, spawn_key: Iterable[int] = ()) -> None:
        self.entropy = entropy
        self.spawn_key = tuple(spawn_key)
        self.pool = self._mix_entropy(self._assembled_entropy())

    def _assembled_entropy(self) -> list[int]:
        run = _coerce(self.entropy)
        spawn = _coerce(self.spawn_key) if self.spawn_key else []
        if spawn and len(run) < _POOL_SIZE:
            # NumPy pads the run entropy so that spawn keys cannot collide with it.
            run = run + [0] * (_POOL_SIZE - len(run))
        return run + spawn

    @staticmethod
    def _mix_entropy(entropy: list[int]) -> list[int]:
        h = _Hash(_INIT_A)
        mixer = [h.hashmix(entropy[i] if i < len(entropy) else 0) for i in range(_POOL_SIZE)]
        for src in range(_POOL_SIZE):
            for dst in range(_POOL_SIZE):
                if src != dst:
                    mixer[dst] = _mix(mixer[dst], h.hashmix(mixer[src]))
        for src in range(_POOL_SIZE, len(entropy)):
            for dst in range(_POOL_SIZE):
                mixer[dst] = _mix(mixer[dst], h.hashmix(entropy[src]))
        return mixer

    def generate_state(self, n_words: int, bits: int = 32) -> list[int]:
        """``n_words`` words of ``bits`` (32 or 64) bits, as NumPy's ``generate_state`` with
        ``dtype=np.uint32`` / ``np.uint64`` returns them."""
        if bits not in (32, 64):
            raise ValueError("bits must be 32 or 64")
        count = n_words * (2 if bits == 64 else 1)
        const = _INIT_B
        out: list[int] = []
        for i in range(count):
            value = (self.pool[i % _POOL_SIZE] ^ const) & _MASK32
            const = (const * _MULT_B) & _MASK32
            value = (value * const) & _MASK32
            out.append(value ^ (value >> _XSHIFT))
        if bits == 32:
            return out
        return [out[i] | (out[i + 1] << 32) for i in range(0, count, 2)]
