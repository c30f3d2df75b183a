"""The pure-Python SeedSequence and derive_seed give NumPy's SeedSequence words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seedlint_runtime import derive_seed
from seedlint_runtime._seedseq import SeedSequence

np = pytest.importorskip("numpy")

words = st.integers(min_value=0, max_value=2**32 - 1)
big = st.one_of(words, st.integers(min_value=0, max_value=2**160))
entropies = st.one_of(big, st.lists(big, min_size=1, max_size=6))
spawn_keys = st.lists(big, max_size=5)
PROPERTY = settings(max_examples=300, deadline=None, database=None)


@PROPERTY
@given(
    entropy=entropies,
    spawn_key=spawn_keys,
    n_words=st.integers(min_value=0, max_value=12),
    bits=st.sampled_from([32, 64]),
)
def test_generate_state_equals_numpy(entropy, spawn_key, n_words, bits):
    dtype = np.uint32 if bits == 32 else np.uint64
    expected = (
        np.random.SeedSequence(entropy, spawn_key=spawn_key).generate_state(n_words, dtype).tolist()
    )
    got = SeedSequence(entropy, spawn_key=spawn_key).generate_state(n_words, bits)
    assert got == expected
    assert all(type(w) is int for w in got)


@PROPERTY
@given(seed=words, keys=st.lists(st.integers(min_value=0, max_value=2**64), max_size=5))
def test_derive_seed_equals_numpy_seed_sequence(seed, keys):
    expected = int(np.random.SeedSequence(seed, spawn_key=keys).generate_state(1)[0])
    assert derive_seed(*keys, seed=seed) == expected


@pytest.mark.parametrize("entropy", [0, 1, 2**32 - 1, 2**32, 2**128 + 5, [0], [1, 2, 3, 4, 5]])
@pytest.mark.parametrize("spawn_key", [(), (0,), (1, 2), (2**64, 0, 7)])
def test_edge_cases_equal_numpy(entropy, spawn_key):
    for bits, dtype in ((32, np.uint32), (64, np.uint64)):
        expected = np.random.SeedSequence(entropy, spawn_key=spawn_key).generate_state(9, dtype)
        assert SeedSequence(entropy, spawn_key).generate_state(9, bits) == expected.tolist()


def test_spawn_key_padding_separates_entropy_from_keys():
    """SeedSequence(1, (2,)) and SeedSequence([1, 2]) must not collide (NumPy pads the entropy)."""
    assert SeedSequence(1, (2,)).generate_state(4) != SeedSequence([1, 2]).generate_state(4)


@pytest.mark.parametrize(
    ("args", "error"),
    [((-1,), ValueError), ((True,), TypeError), ((1.5,), TypeError), ((0, (-2,)), ValueError)],
)
def test_rejects_bad_entropy(args, error):
    with pytest.raises(error):
        SeedSequence(*args)


def test_rejects_other_word_sizes():
    with pytest.raises(ValueError, match="32 or 64"):
        SeedSequence(0).generate_state(1, bits=16)
