"""Internal errors seedlint raised on real code (installed torch, numpy, networkx, sympy and
ML repositories), each on a small reduction of the file that raised it: the file is analysed
without an error and gets the findings it should."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from seedlint.config import Settings
from seedlint.engine import contexts
from seedlint.engine.runner import lint_paths
from seedlint.rules.base import all_rules


def lint(root: Path, scope: str = "project") -> list[tuple[str, Optional[str]]]:
    """Every rule's findings in every context as ``(path:line: code, fix kind or None)``; fails
    on any error."""
    settings = Settings(root=str(root), scope=scope, contexts=contexts.CONTEXTS)
    report = lint_paths([str(root)], settings, codes=all_rules())
    assert not report.errors, report.errors
    return [
        (
            f"{Path(f.path).relative_to(root).as_posix()}:{f.span.line}: {f.code}",
            f.fix.kind if f.fix is not None else None,
        )
        for f in report.findings
    ]


# RNG201's fix is not offered for a seed drawn inside a loop; the search for the loop ran on
# after it found the statement and popped the scope stack once per function that followed
# (``on_leave`` runs also for the nodes ``on_visit`` skipped): IndexError.


@pytest.mark.parametrize("scope", ["project", "file"])
def test_clock_seed_in_a_loop_followed_by_functions(tree, scope: str) -> None:
    # yolov5 segment/train.py: hyperparameter evolution reseeds from the clock in main()'s
    # loop, and run() follows main().
    root = tree(
        {
            "segment/train.py": """
                import argparse
                import random
                import time

                import numpy as np
                import torch


                def train(hyp, opt):
                    torch.manual_seed(opt.seed)
                    return [hyp["lr0"]]


                def main(opt):
                    meta = {"lr0": (1, 1e-5, 1e-1), "momentum": (0.3, 0.6, 0.98)}
                    hyp = {"lr0": 0.01, "momentum": 0.937}
                    if not opt.evolve:
                        train(hyp, opt)
                    else:
                        for _ in range(opt.evolve):  # generations to evolve
                            x = np.ones((5, 2))
                            x = x[random.choices(range(len(x)))[0]]  # weighted selection
                            mp, s = 0.8, 0.2  # mutation probability, sigma
                            npr = np.random
                            npr.seed(int(time.time()))
                            g = np.array([meta[k][0] for k in hyp])  # gains 0-1
                            v = np.ones(len(meta))
                            while all(v == 1):  # mutate until a change occurs
                                v = (g * (npr.random(len(meta)) < mp) * s + 1).clip(0.3, 3.0)
                            for i, k in enumerate(hyp.keys()):
                                hyp[k] = float(x[i % 2] * v[i])  # mutate
                            train(hyp.copy(), opt)


                def run(**kwargs):
                    opt = argparse.Namespace(seed=0, evolve=0, **kwargs)
                    main(opt)
                    return opt


                if __name__ == "__main__":
                    main(argparse.Namespace(seed=0, evolve=300))
            """,
        }
    )
    assert lint(root, scope) == [
        ("segment/train.py:10: RNG502", None),
        ("segment/train.py:22: RNG001", "seed-entry"),
        # in a loop: no fix; the draw at line 29 counts as seeded (one cause, one finding)
        ("segment/train.py:25: RNG201", None),
    ]


@pytest.mark.parametrize("scope", ["project", "file"])
def test_clock_seed_in_a_test_loop_followed_by_tests(tree, scope: str) -> None:
    # networkx generators/tests/test_joint_degree_seq.py: a clock seed per iteration in one
    # test, more tests after it.
    root = tree(
        {
            "tests/test_joint_degree_seq.py": """
                import time

                from networkx.algorithms.assortativity import degree_mixing_dict
                from networkx.generators import gnm_random_graph, powerlaw_cluster_graph
                from networkx.generators.joint_degree_seq import joint_degree_graph


                def test_joint_degree_graph(ntimes=10):
                    for _ in range(ntimes):
                        seed = int(time.time())

                        n, m, p = 20, 10, 1
                        g = powerlaw_cluster_graph(n, m, p, seed=seed)
                        joint_degrees_g = degree_mixing_dict(g, normalized=False)
                        G = joint_degree_graph(joint_degrees_g)
                        assert joint_degrees_g == degree_mixing_dict(G, normalized=False)


                def test_is_valid_directed_joint_degree():
                    G = gnm_random_graph(10, 20, seed=42)
                    assert G.number_of_nodes() == 10


                def test_directed_joint_degree_graph(n=15, m=100, ntimes=1000):
                    for _ in range(ntimes):
                        g = gnm_random_graph(n, m, None, directed=True)
                        assert g.number_of_edges() == m
            """,
        }
    )
    assert lint(root, scope) == [
        ("tests/test_joint_degree_seq.py:13: RNG201", None),  # in a loop: no fix
    ]


@pytest.mark.parametrize("scope", ["project", "file"])
def test_clock_seed_in_a_decorator(tree, scope: str) -> None:
    # The statement of a call in a decorator is the decorated function itself: the search
    # skipped it on the way in but popped its scope on the way out.
    root = tree(
        {
            "graphs.py": """
                import time

                import networkx as nx


                @nx.utils.py_random_state(seed=int(time.time()))
                def make(n, seed=None):
                    return nx.gnp_random_graph(n, 0.5, seed=seed)


                def after():
                    return make(3)
            """,
        }
    )
    assert lint(root, scope) == [("graphs.py:6: RNG201", "replace-expr")]
