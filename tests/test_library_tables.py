"""The tables of library calls that draw for the user (``seedlint/library_tables.py``) against
the installed scikit-learn, pandas, ``datasets`` and torchvision: a release that adds or removes
such a call fails here. Regenerate with ``python -m tests.library_tables >
seedlint/library_tables.py``.

The premises are checked too, by running the libraries: a call the tables say draws moves
NumPy's global state, a configuration ``apis.SKLEARN_DRAWS_WHEN`` says does not draw leaves it
alone."""

from __future__ import annotations

import importlib
import inspect
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from seedlint import apis, library_tables
from tests import library_tables as derive


def test_sklearn_table_matches_the_installed_library() -> None:
    pytest.importorskip("sklearn")
    assert derive.derive_sklearn() == library_tables.SKLEARN


def test_pandas_table_matches_the_installed_library() -> None:
    pytest.importorskip("pandas")
    assert derive.derive_pandas() == library_tables.PANDAS


def test_datasets_table_matches_the_installed_library() -> None:
    pytest.importorskip("datasets")
    assert derive.derive_datasets() == library_tables.DATASETS
    assert derive.hf_datasets_names() == library_tables.DATASETS_EXPORTS


def test_torchvision_table_matches_its_source() -> None:
    root = derive.torchvision_root()
    if root is None:
        pytest.skip("torchvision is not installed (CI installs it: .ci/run)")
    classes, calls = derive.derive_torchvision(root)
    assert classes == library_tables.TORCHVISION
    assert calls == library_tables.TORCHVISION_CALLS
    # deterministic transforms are not there; v1 and v2 random ones are
    for name in ("Resize", "CenterCrop", "ToTensor", "Normalize", "Compose"):
        assert f"torchvision.transforms.{name}" not in classes
    for name in ("RandomCrop", "RandomHorizontalFlip", "ColorJitter", "RandAugment"):
        assert classes[f"torchvision.transforms.{name}"] == apis.TORCH
        assert classes[f"torchvision.transforms.v2.{name}"] == apis.TORCH
    assert classes["torchvision.transforms.RandomChoice"] == apis.PYTHON  # random.choices


def _sklearn_object(leaf: str) -> Any:
    for qualname in library_tables.SKLEARN:
        if qualname.rsplit(".", 1)[-1] == leaf:
            module, _, name = qualname.rpartition(".")
            return getattr(importlib.import_module(module), name)
    raise AssertionError(f"{leaf} is not in the scikit-learn table")


@pytest.mark.parametrize("leaf", sorted(apis.SKLEARN_DRAWS_WHEN))
def test_draws_when_conditions_name_real_parameters(leaf: str) -> None:
    """Each conditional parameter exists, at the position and with the default the table
    gives (the collector reads absent arguments as that default)."""
    pytest.importorskip("sklearn")
    import sklearn.experimental.enable_iterative_imputer  # noqa: F401

    params = list(inspect.signature(_sklearn_object(leaf)).parameters.values())
    names = [p.name for p in params]
    for alternative in apis.SKLEARN_DRAWS_WHEN[leaf]:
        for name, position, default, _ in alternative:
            assert name in names, (leaf, name)
            p = params[names.index(name)]
            positional = p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and not any(
                q.kind == q.VAR_POSITIONAL for q in params[: names.index(name)]
            )
            assert position == (names.index(name) if positional else -1), (leaf, name)
            assert p.default == default, (leaf, name, p.default)


@pytest.fixture
def np_state() -> Iterator[Any]:
    np = pytest.importorskip("numpy")
    saved = np.random.get_state()
    yield np
    np.random.set_state(saved)


def _moves_global_state(np: Any, run: Any) -> bool:
    np.random.seed(1234)
    before = np.random.get_state()[1].copy(), np.random.get_state()[2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run()
    after = np.random.get_state()
    return not (np.array_equal(before[0], after[1]) and before[1] == after[2])


def _data(np: Any) -> tuple[Any, Any]:
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    return X, (X[:, 0] > 0.5).astype(int)


def test_premise_sklearn_calls_draw_from_numpys_global_state(np_state: Any) -> None:
    pytest.importorskip("sklearn")
    from sklearn.cluster import KMeans
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import KFold, train_test_split

    np = np_state
    X, y = _data(np)
    assert _moves_global_state(np, lambda: train_test_split(X, y))
    assert _moves_global_state(np, lambda: RandomForestClassifier(n_estimators=3).fit(X, y))
    assert _moves_global_state(np, lambda: KMeans(2, n_init=1).fit(X))
    assert _moves_global_state(np, lambda: list(KFold(3, shuffle=True).split(X)))
    # built while unseeded, fitted after the seed: the fit is what draws
    model = RandomForestClassifier(n_estimators=3)
    np.random.seed(0)
    a = model.fit(X, y).estimators_[0].tree_.threshold.copy()
    np.random.seed(0)
    b = model.fit(X, y).estimators_[0].tree_.threshold.copy()
    assert np.array_equal(a, b)


def _depends_on_global_state(np: Any, run: Any) -> bool:
    """Do ``run()``'s results change with NumPy's global seed?"""
    out = []
    for seed in (1, 2):
        np.random.seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append(np.asarray(run(), dtype=float))
    return not np.allclose(out[0], out[1])


def test_premise_configurations_that_do_not_draw(np_state: Any) -> None:
    """What ``apis.SKLEARN_DRAWS_WHEN`` says is deterministic gives the same results whatever
    NumPy's global seed (``SVC`` takes a seed from it but uses it only for probabilities), and
    the configurations it says draw do not."""
    pytest.importorskip("sklearn")
    from sklearn.decomposition import PCA
    from sklearn.linear_model import Lasso, LogisticRegression
    from sklearn.model_selection import KFold, train_test_split
    from sklearn.svm import SVC

    np = np_state
    X, y = _data(np)
    yn = y + X[:, 1]

    def folds(kf: Any) -> Any:
        return np.concatenate([test for _, test in kf.split(X)])

    assert not _depends_on_global_state(np, lambda: LogisticRegression().fit(X, y).coef_)
    assert _depends_on_global_state(
        np, lambda: LogisticRegression(solver="saga", max_iter=3, tol=0).fit(X, y).coef_
    )
    assert not _depends_on_global_state(np, lambda: SVC().fit(X, y).decision_function(X))
    assert not _depends_on_global_state(np, lambda: folds(KFold(3)))
    assert _depends_on_global_state(np, lambda: folds(KFold(3, shuffle=True)))
    assert not _depends_on_global_state(np, lambda: Lasso(alpha=0.01, max_iter=3).fit(X, yn).coef_)
    assert _depends_on_global_state(
        np, lambda: Lasso(alpha=0.01, selection="random", max_iter=3, tol=0).fit(X, yn).coef_
    )
    assert not _depends_on_global_state(np, lambda: train_test_split(X, shuffle=False)[0])
    assert _depends_on_global_state(np, lambda: train_test_split(X)[0])
    assert not _depends_on_global_state(np, lambda: PCA().fit_transform(X))
    big = np.random.RandomState(0).rand(600, 30)
    assert _depends_on_global_state(
        np, lambda: PCA(2, svd_solver="randomized", iterated_power=0).fit(big).components_
    )


def test_premise_pandas_and_datasets_draw_from_numpys_global_state(np_state: Any) -> None:
    pd = pytest.importorskip("pandas")
    datasets = pytest.importorskip("datasets")
    np = np_state
    frame = pd.DataFrame({"a": range(20)})
    assert _moves_global_state(np, lambda: frame.sample(frac=1))
    assert not _moves_global_state(np, lambda: frame.sample(frac=1, random_state=0))
    ds = datasets.Dataset.from_dict({"a": list(range(20))})
    assert _moves_global_state(np, lambda: ds.shuffle())
    assert not _moves_global_state(np, lambda: ds.shuffle(seed=0))
    np.random.seed(7)
    first = ds.shuffle()["a"]
    np.random.seed(7)
    assert ds.shuffle()["a"] == first  # seeding NumPy makes it repeat
