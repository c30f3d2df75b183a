"""RNG104, RNG302–305, RNG401, RNG501–502 beyond their documented examples: project
subclasses across files (read as RNG305, the blanket worker_init_fn rule, reads them; RNG301 reads
them the same way), dataset base classes in other files, what silences RNG104, where RNG502
points, file scope, and the value analysis of devices and flags."""

from __future__ import annotations

from pathlib import Path

from seedlint.config import Settings
from seedlint.engine.runner import lint_paths

NEW = ("RNG104", "RNG305", "RNG302", "RNG303", "RNG401", "RNG501", "RNG502")


def findings(root: Path, scope: str = "project", codes: tuple[str, ...] | None = NEW) -> list[str]:
    """Findings of ``codes`` (None: the rules on by default, as the CLI runs them)."""
    report = lint_paths([str(root)], Settings(root=str(root), scope=scope), codes=codes)
    assert not report.errors, report.errors
    return [
        f"{Path(f.path).relative_to(root).as_posix()}:{f.span.line}: {f.code}"
        for f in report.findings
        if f.code in NEW
    ]


def messages(root: Path, code: str) -> list[str]:
    report = lint_paths([str(root)], Settings(root=str(root)), codes=(code,))
    return [f.message for f in report.findings]


# --- RNG305 / RNG302 ------------------------------------------------------------------------------


LOADER_SUBCLASS = {
    "loaders.py": """
        import torch.utils.data as tud

        class MultiEpochsDataLoader(tud.DataLoader):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
    """,
    "train.py": """
        from loaders import MultiEpochsDataLoader

        def build(ds, workers):
            return MultiEpochsDataLoader(ds, 32, True, num_workers=workers)
    """,
}


def test_subclass_defined_in_another_file(tree) -> None:
    root = tree(LOADER_SUBCLASS)
    assert findings(root) == ["train.py:4: RNG302", "train.py:4: RNG305"]
    assert "MultiEpochsDataLoader(num_workers=workers)" in messages(root, "RNG305")[0]


def test_subclass_in_another_file_is_unknown_in_file_scope(tree) -> None:
    assert findings(tree(LOADER_SUBCLASS), scope="file") == []


def test_subclass_of_a_project_subclass(tree) -> None:
    root = tree(
        {
            **LOADER_SUBCLASS,
            "fast.py": """
                from loaders import MultiEpochsDataLoader

                class Fast(MultiEpochsDataLoader):
                    pass

                def build(ds):
                    return Fast(ds, num_workers=8)
            """,
        }
    )
    assert "fast.py:7: RNG305" in findings(root)


def test_subclass_that_supplies_worker_init_and_generator_itself(tree) -> None:
    root = tree(
        {
            "loaders.py": """
                import torch
                from torch.utils.data import DataLoader
                from seedlint_runtime import seed_worker

                class SeededLoader(DataLoader):
                    def __init__(self, dataset, **kwargs):
                        kwargs.setdefault("worker_init_fn", seed_worker)
                        super().__init__(dataset, generator=torch.Generator().manual_seed(0), **kwargs)

                def build(ds):
                    return SeededLoader(ds, shuffle=True, num_workers=4)
            """
        }
    )
    assert findings(root) == []


def test_subclass_signature_maps_positional_arguments(tree) -> None:
    root = tree(
        {
            "loaders.py": """
                from torch.utils.data import DataLoader

                class Loader(DataLoader):
                    def __init__(self, dataset, shuffle, num_workers=2):
                        super().__init__(dataset, shuffle=shuffle, num_workers=num_workers)

                a = Loader([1, 2], True)
                b = Loader([1, 2], False, 0)
            """
        }
    )
    # ``a``: shuffle=True by position, num_workers defaults to 2 in the subclass
    assert findings(root) == ["loaders.py:7: RNG302", "loaders.py:7: RNG305"]


def test_num_workers_zero_through_names_and_not_through_others(tree) -> None:
    root = tree(
        {
            "a.py": """
                from torch.utils.data import DataLoader

                WORKERS = 0
                n = 0
                n = 0

                def f(ds, cfg, k=0):
                    DataLoader(ds, num_workers=WORKERS)
                    DataLoader(ds, num_workers=n)
                    DataLoader(ds, num_workers=k)
                    DataLoader(ds, num_workers=cfg.workers)
                    DataLoader(ds, num_workers=min(4, len(ds)))
                    DataLoader(ds, 1, False, None, None, 0)
                    DataLoader(ds, 1, False, None, None, 2)
            """
        }
    )
    assert findings(root) == [
        "a.py:10: RNG305",
        "a.py:11: RNG305",
        "a.py:12: RNG305",
        "a.py:14: RNG305",
    ]


def test_shuffle_flags(tree) -> None:
    root = tree(
        {
            "a.py": """
                from torch.utils.data import DataLoader

                def f(ds, is_train, sampler):
                    DataLoader(ds, shuffle=is_train)
                    DataLoader(ds, shuffle=(sampler is None), sampler=sampler)
                    DataLoader(ds, shuffle=False)
                    DataLoader(ds, shuffle=None)
                    DataLoader(ds, shuffle=True, generator=None)
                    DataLoader(ds, shuffle=True, **{"generator": None})
            """
        }
    )
    # the ``**`` mapping is a dict display: its ``generator`` is None
    assert findings(root) == [
        "a.py:4: RNG302",
        "a.py:5: RNG302",
        "a.py:8: RNG302",
        "a.py:9: RNG302",
    ]


def test_keyword_mappings_built_in_the_function_are_read(tree) -> None:
    root = tree(
        {
            "main.py": """
                import torch
                from seedlint_runtime import seed_worker

                def main(args, use_cuda, extra):
                    train_kwargs = {"batch_size": args.batch_size}
                    test_kwargs = dict(batch_size=1000, shuffle=False)
                    if use_cuda:
                        cuda_kwargs = {"num_workers": 1, "pin_memory": True, "shuffle": True}
                        train_kwargs.update(cuda_kwargs)
                    kw = {"num_workers": 4} if use_cuda else {}
                    kw["worker_init_fn"] = seed_worker
                    a = torch.utils.data.DataLoader([1], **train_kwargs)
                    b = torch.utils.data.DataLoader([1], **test_kwargs)
                    c = torch.utils.data.DataLoader([1], shuffle=True, **kw)
                    d = torch.utils.data.DataLoader([1], shuffle=True, **extra)
                    extra_kw = {"num_workers": 2}
                    extra_kw.update(extra)
                    e = torch.utils.data.DataLoader([1], **extra_kw)
            """
        }
    )
    assert findings(root) == ["main.py:12: RNG302", "main.py:12: RNG305", "main.py:14: RNG302"]


def test_sampler_given_its_generator_after_construction(tree) -> None:
    root = tree(
        {
            "a.py": """
                import torch
                from torch.utils.data import RandomSampler

                def make(ds, seed):
                    s = RandomSampler(ds)
                    s.generator = torch.Generator().manual_seed(seed)
                    t = RandomSampler(ds)
                    return s, t
            """
        }
    )
    assert findings(root) == ["a.py:7: RNG303"]


def test_samplers(tree) -> None:
    root = tree(
        {
            "a.py": """
                import torch
                from torch.utils.data import random_split
                from torch.utils.data.sampler import RandomSampler, SubsetRandomSampler
                from torch.utils.data.distributed import DistributedSampler

                g = torch.Generator().manual_seed(0)
                random_split(range(10), [5, 5], g)
                RandomSampler(range(10), False, None, g)
                SubsetRandomSampler([1, 2])
                SubsetRandomSampler([1, 2], g)
                DistributedSampler(range(10), num_replicas=2, rank=0)
                torch.utils.data.dataset.random_split(range(10), [5, 5])
            """
        }
    )
    assert findings(root) == ["a.py:9: RNG303", "a.py:12: RNG303"]


def test_a_user_class_named_dataloader_is_not_torchs(tree) -> None:
    root = tree(
        {
            "a.py": """
                class DataLoader:
                    def __init__(self, ds, shuffle=False, num_workers=0):
                        pass

                DataLoader([1], shuffle=True, num_workers=4)
            """
        }
    )
    assert findings(root) == []


# --- RNG104 -------------------------------------------------------------------------------------

BASE_DATASET = {
    "base.py": """
        import numpy as np
        from torch.utils.data import Dataset

        class Base(Dataset):
            def __init__(self, seed=0):
                self.rng = np.random.default_rng(seed)
    """,
    "crops.py": """
        from base import Base

        class Crops(Base):
            def __len__(self):
                return 10

            def __getitem__(self, i):
                return self.offset(i)

            def offset(self, i):
                return i + self.rng.integers(0, 8)
    """,
}


def test_generator_created_in_a_base_class_in_another_file(tree) -> None:
    assert findings(tree(BASE_DATASET)) == ["base.py:6: RNG104"]


def test_a_worker_init_fn_that_recreates_the_generator_silences(tree) -> None:
    root = tree(
        {
            **BASE_DATASET,
            "train.py": """
                import numpy as np
                import torch

                def reseed(worker_id):
                    info = torch.utils.data.get_worker_info()
                    info.dataset.rng = np.random.default_rng(info.seed)
            """,
        }
    )
    assert findings(root) == []


def test_seed_worker_of_the_runtime_silences(tree) -> None:
    root = tree(
        {
            **BASE_DATASET,
            "train.py": """
                from torch.utils.data import DataLoader
                from seedlint_runtime import seed_worker
                from crops import Crops

                loader = DataLoader(Crops(), num_workers=4, worker_init_fn=seed_worker)
            """,
        }
    )
    assert findings(root) == []


def test_a_worker_init_fn_that_seeds_only_global_rngs_does_not_silence(tree) -> None:
    root = tree(
        {
            **BASE_DATASET,
            "train.py": """
                import random
                import numpy as np
                import torch
                from torch.utils.data import DataLoader
                from crops import Crops

                def seed_worker(worker_id):
                    s = torch.initial_seed() % 2**32
                    np.random.seed(s)
                    random.seed(s)

                loader = DataLoader(Crops(), num_workers=4, worker_init_fn=seed_worker)
            """,
        }
    )
    assert findings(root) == ["base.py:6: RNG104"]


def test_generators_and_datasets_that_are_fine(tree) -> None:
    root = tree(
        {
            "a.py": """
                import random
                import numpy as np
                import torch
                from torch.utils.data import Dataset, IterableDataset

                class NotADataset:
                    def __init__(self):
                        self.rng = np.random.default_rng(0)

                    def __getitem__(self, i):
                        return self.rng.random()

                class Lazy(IterableDataset):
                    def __init__(self):
                        self.rng = random.Random(0)

                    def __iter__(self):
                        info = torch.utils.data.get_worker_info()
                        self.rng = random.Random(info.id if info else 0)
                        while True:
                            yield self.rng.random()

                class InitOnly(Dataset):
                    def __init__(self, n):
                        g = torch.Generator().manual_seed(0)
                        self.perm = torch.randperm(n, generator=g)
                        self.rs = np.random.RandomState(0)
                        self.noise = self.rs.normal(size=n)

                    def __getitem__(self, i):
                        return self.perm[i] + self.noise[i]
            """
        }
    )
    assert findings(root) == []


def test_generator_handed_to_a_helper_and_torch_generator_keyword(tree) -> None:
    root = tree(
        {
            "a.py": """
                import torch
                import numpy as np
                from torch.utils.data import Dataset

                def jitter(x, rng):
                    return x + rng.normal()

                class D(Dataset):
                    def __init__(self):
                        self.rng = np.random.RandomState(0)
                        self.g = torch.Generator()
                        self.g.manual_seed(0)

                    def __getitem__(self, i):
                        mask = torch.rand(3, generator=self.g) > 0.5
                        return jitter(i, self.rng), mask
            """
        }
    )
    assert findings(root) == ["a.py:10: RNG104", "a.py:11: RNG104"]


# --- RNG401 -------------------------------------------------------------------------------------


def test_devices_that_may_be_cuda(tree) -> None:
    root = tree(
        {
            "a.py": """
                import torch

                class Sampler:
                    def __init__(self):
                        self.device = torch.device("cuda:0")

                    def noise(self, n, rank, device, x):
                        a = torch.randn(n, device=self.device)
                        b = torch.randint(0, 9, (n,), device=f"cuda:{rank}")
                        c = torch.rand(n, device=0)
                        d = torch.rand(n, device="cuda:" + str(rank))
                        e = torch.randn(n, device=device)
                        f = torch.randn(n, device=x.device)
                        g = torch.randn(n, device="cpu")
                        h = torch.zeros(n).cuda().bernoulli_(0.5)
                        i = torch.zeros(n, device="cuda").cpu().normal_()
                        j = torch.nn.init.trunc_normal_(torch.empty(n, n, device="cuda"))
                        return a, b, c, d, e, f, g, h, i, j
            """
        }
    )
    assert findings(root) == [
        "a.py:8: RNG401",
        "a.py:9: RNG401",
        "a.py:10: RNG401",
        "a.py:11: RNG401",
        "a.py:15: RNG401",
        "a.py:17: RNG401",
    ]


# --- RNG501 / RNG502 ----------------------------------------------------------------------------


def test_cudnn_benchmark_through_every_import_path(tree) -> None:
    root = tree(
        {
            "a.py": """
                import torch
                import torch.backends.cudnn as cudnn
                from torch.backends import cudnn as cd

                torch.backends.cudnn.benchmark = True
                cudnn.benchmark = True
                cd.benchmark = True
                cd.benchmark = False
                fast = True
                cd.benchmark = fast

                def setup(args):
                    cd.benchmark = args.benchmark
                    with torch.backends.cudnn.flags(enabled=True, benchmark=True):
                        pass
            """
        }
    )
    assert findings(root) == [
        "a.py:5: RNG501",
        "a.py:6: RNG501",
        "a.py:7: RNG501",
        "a.py:10: RNG501",
        "a.py:14: RNG501",
    ]


SEEDING_HELPER = {
    "utils.py": """
        import random
        import numpy as np
        import torch

        def set_seed(seed):
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
    """,
    "train.py": """
        import torch
        from utils import set_seed

        def main():
            set_seed(0)
            model = torch.nn.Linear(2, 2).to(torch.device("cuda"))

        if __name__ == "__main__":
            main()
    """,
}


def test_rng502_points_at_the_entry_points_call(tree) -> None:
    root = tree(SEEDING_HELPER)
    assert findings(root, codes=None) == []  # off by default
    assert findings(root, codes=("RNG502",)) == ["train.py:5: RNG502"]


def test_rng502_says_whether_the_program_uses_cuda(tree) -> None:
    assert "when it runs on a GPU" in messages(tree(SEEDING_HELPER), "RNG502")[0]
    cpu = SEEDING_HELPER["train.py"].replace('.to(torch.device("cuda"))', '.to("cpu")')
    root = tree({**SEEDING_HELPER, "train.py": cpu})
    assert "when it ever runs on a GPU" in messages(root, "RNG502")[0]


def test_rng502_deterministic_mode_in_a_helper_or_a_seed_everything(tree) -> None:
    root = tree(
        {
            **SEEDING_HELPER,
            "train.py": """
                import torch
                from utils import set_seed

                def enable():
                    torch.use_deterministic_algorithms(True, warn_only=True)

                def main():
                    set_seed(0)
                    enable()

                if __name__ == "__main__":
                    main()
            """,
            "other.py": """
                from seedlint_runtime import seed_everything

                if __name__ == "__main__":
                    seed_everything(3, deterministic=True)
            """,
            "off.py": """
                import torch

                if __name__ == "__main__":
                    torch.manual_seed(0)
                    torch.use_deterministic_algorithms(False)
                    torch.backends.cudnn.deterministic = True
            """,
        }
    )
    assert findings(root, codes=("RNG502",)) == ["off.py:4: RNG502"]


# --- found by red-teaming ---------------------------------------------------------------------


def test_generic_bases_and_tuple_assignments(tree) -> None:
    root = tree(
        {
            "a.py": """
                import numpy as np
                import torch
                from torch.utils.data import DataLoader, Dataset

                class D(Dataset[int]):
                    def __init__(self):
                        self.n, self.rng = 10, np.random.default_rng(0)

                    def __getitem__(self, i):
                        return self.rng.random()

                class L(DataLoader[int]):
                    pass

                L(D(), num_workers=2)
                device, dtype = "cuda", torch.float16
                torch.randn(3, device=device)
                torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = False, True
            """
        }
    )
    assert findings(root) == [
        "a.py:7: RNG104",
        "a.py:15: RNG305",
        "a.py:17: RNG401",
        "a.py:18: RNG501",
    ]


def test_names_bound_by_other_statements_are_not_provably_zero(tree) -> None:
    root = tree(
        {
            "a.py": """
                from torch.utils.data import DataLoader

                NUM_WORKERS = 0
                W = 0
                for W in range(3):
                    pass

                def configure(n):
                    global NUM_WORKERS
                    NUM_WORKERS = n

                def build(ds):
                    DataLoader(ds, num_workers=NUM_WORKERS)
                    DataLoader(ds, num_workers=W)
                    DataLoader(ds, num_workers=False)
            """
        }
    )
    assert findings(root) == ["a.py:13: RNG305", "a.py:14: RNG305"]


def test_keyword_mappings_that_cannot_be_read(tree) -> None:
    root = tree(
        {
            "a.py": """
                from torch.utils.data import DataLoader

                def fill(kw):
                    kw["worker_init_fn"] = print

                def build(ds, key):
                    a = {"num_workers": 4}
                    a.pop("num_workers")
                    DataLoader(ds, **a)
                    b = {"num_workers": 4}
                    del b["num_workers"]
                    DataLoader(ds, **b)
                    c = {"num_workers": 4}
                    c[key] = None
                    DataLoader(ds, **c)
                    d = {"num_workers": 4}
                    fill(d)
                    DataLoader(ds, **d)
                    kw = {"num_workers": 4}
                    DataLoader(ds, **kw)
            """
        }
    )
    # ``kw`` in ``fill`` is another variable: it does not supply this loader's worker_init_fn
    assert findings(root) == ["a.py:20: RNG305"]


def test_rng104_silencers_and_their_limits(tree) -> None:
    root = tree(
        {
            "data.py": """
                import functools
                import random
                import numpy as np
                import torch
                from torch.utils.data import Dataset, DataLoader
                from seedlint_runtime import seed_worker

                GLOBAL = random.Random(0)

                class D(Dataset):
                    shared = random.Random(1)

                    def __init__(self):
                        self.rng = np.random.default_rng(0)
                        self.g = torch.Generator().manual_seed(0)

                    def __getitem__(self, i):
                        rng = self.rng
                        return rng.random() + GLOBAL.random() + self.shared.random() + self.sample()

                    def sample(self):
                        return 0

                class E(D):
                    def sample(self):
                        return torch.rand(1, generator=self.g)

                def loader(ds, rank):
                    return DataLoader(
                        ds, num_workers=2, worker_init_fn=functools.partial(seed_worker, rank=rank)
                    )
            """
        }
    )
    # seed_worker reseeds instance and class attributes, never a module global
    assert findings(root) == ["data.py:8: RNG104"]
    (root / "data.py").write_text(
        (root / "data.py").read_text().replace("functools.partial(seed_worker, rank=rank)", "None")
    )
    assert findings(root) == [
        "data.py:8: RNG104",
        "data.py:11: RNG104",
        "data.py:14: RNG104",
        "data.py:15: RNG104",
        "data.py:29: RNG305",
    ]


def test_rng104_worker_code_that_recreates_or_reseeds(tree) -> None:
    root = tree(
        {
            "data.py": """
                import numpy as np
                import torch
                from torch.utils.data import Dataset

                class D(Dataset):
                    def __init__(self):
                        self.rng = np.random.default_rng(0)
                        self.aug = np.random.default_rng(1)
                        self.other = np.random.default_rng(2)

                    def reseed(self, seed):
                        self.rng = np.random.default_rng(seed)

                    def __getitem__(self, i):
                        return self.rng.random() + self.aug.random() + self.other.random()

                def init_fn(worker_id):
                    info = torch.utils.data.get_worker_info()
                    info.dataset.reseed(info.seed)
                    info.dataset.aug.bit_generator.state = np.random.PCG64(info.seed).state

                def unrelated(args):
                    args.other = None
            """
        }
    )
    assert findings(root) == ["data.py:9: RNG104"]


def test_rng401_and_rng303_details(tree) -> None:
    root = tree(
        {
            "a.py": """
                import torch
                from torch.utils.data import RandomSampler

                class M:
                    device = "cuda"

                    def noise(self, rank, n):
                        a = torch.empty(n, device="cuda").to(torch.float16).normal_()
                        b = torch.randn(n, device="cuda:{}".format(rank))
                        c = torch.randn(n, device=self.device)
                        return a, b, c

                def samplers(ds):
                    g = None
                    s = RandomSampler(ds, generator=g)
                    t = RandomSampler(ds)
                    t.generator = None
                    return s, t

                with torch.backends.cudnn.flags(True, True):
                    pass
            """
        }
    )
    assert findings(root) == [
        "a.py:8: RNG401",
        "a.py:9: RNG401",
        "a.py:10: RNG401",
        "a.py:15: RNG303",
        "a.py:16: RNG303",
        "a.py:20: RNG501",
    ]


def test_subclass_forwarding_its_own_parameters(tree) -> None:
    root = tree(
        {
            "a.py": """
                from torch.utils.data import DataLoader

                class L(DataLoader):
                    def __init__(self, dataset, num_workers, worker_init_fn=None):
                        super().__init__(dataset, num_workers=num_workers, worker_init_fn=worker_init_fn)

                def f(ds, w):
                    a = L(ds, 4)
                    b = L(ds, 4, w)
                    c = L(ds, -0)
                    return a, b, c
            """
        }
    )
    assert findings(root) == ["a.py:8: RNG305"]


def test_samplers_of_cuda_inputs_and_wrapped_tensors(tree) -> None:
    root = tree(
        {
            "a.py": """
                import torch
                import torch.nn as nn

                a = torch.bernoulli(torch.full((3,), 0.5, device="cuda"))
                b = nn.Parameter(torch.empty(3, device="cuda")).normal_()
                c = torch.empty(3, 3, device="cuda")[0].uniform_()
                d = torch.bernoulli(torch.full((3,), 0.5))
            """
        }
    )
    assert findings(root) == ["a.py:4: RNG401", "a.py:5: RNG401", "a.py:6: RNG401"]
