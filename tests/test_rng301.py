"""RNG301 where it matters (DESIGN "RNG301 where it matters"): a loader with workers and no
``worker_init_fn`` is reported only in a program that may run as several processes (judged per
entry point, or by its own file when no entry point reaches it) and whose workers may draw.
RNG305 is the blanket version; RNG104 needs a loader with workers over its dataset.

Each project is a small, realistic training repository: a dataset module, a model module, a
``train.py`` with a ``__main__`` guard, sometimes a ``utils`` package.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from seedlint import cli
from seedlint.config import Settings
from seedlint.engine.runner import lint_paths


def findings(root: Path, codes: tuple[str, ...] = ("RNG301",)) -> list[str]:
    """``path:line: CODE`` for every finding of ``codes``, sorted as the report sorts them."""
    report = lint_paths([str(root)], Settings(root=str(root)), codes=codes)
    assert not report.errors, report.errors
    return [
        f"{Path(f.path).relative_to(root).as_posix()}:{f.span.line}: {f.code}"
        for f in report.findings
        if f.code in codes
    ]


def messages(root: Path, code: str) -> list[str]:
    report = lint_paths([str(root)], Settings(root=str(root)), codes=(code,))
    return [f.message for f in report.findings if f.code == code]


# --- the project ----------------------------------------------------------------------------------

#: Augmentations drawn in the workers from all three global RNGs.
CROPS = """
    import random

    import numpy as np
    import torch
    from torch.utils.data import Dataset


    class Crops(Dataset):
        def __init__(self, items):
            self.items = items

        def __len__(self):
            return len(self.items)

        def __getitem__(self, i):
            scale = random.uniform(0.8, 1.2)
            shift = np.random.randint(0, 8)
            noise = torch.randn(3)
            return torch.tensor(self.items[i]) * scale + shift + noise
"""

#: A tokenised corpus: the workers only index and build tensors.
TOKENS = """
    import torch
    from torch.utils.data import Dataset


    class Tokens(Dataset):
        def __init__(self, ids, block=128):
            self.ids = ids
            self.block = block

        def __len__(self):
            return len(self.ids) // self.block

        def __getitem__(self, i):
            chunk = self.ids[i * self.block : (i + 1) * self.block + 1]
            x = torch.tensor(chunk[:-1], dtype=torch.long)
            y = torch.tensor(chunk[1:], dtype=torch.long)
            return x, y
"""

MODEL = """
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 1)

        def forward(self, x):
            return self.fc(x)
"""

#: ``{imports}`` and ``{marker}`` are one line each, so the loader is always on line 14.
TRAIN = """
    import torch
    from torch.utils.data import DataLoader
    {imports}

    from data import Crops
    from model import Net


    def main():
        torch.manual_seed(0)
        model = Net()
        ds = Crops(list(range(1000)))
        {marker}
        loader = DataLoader(ds, batch_size=32, num_workers=4)
        for x in loader:
            model(x)


    if __name__ == "__main__":
        main()
"""
LOADER = "train.py:14"


def project(tree, imports: str = "import os", marker: str = "model.train()", **extra: str) -> Path:
    train = textwrap.dedent(TRAIN).format(imports=imports, marker=marker)
    return tree({"data.py": CROPS, "model.py": MODEL, "train.py": train, **extra})


# --- 1. one process -------------------------------------------------------------------------------


def test_single_process_script_is_not_reported(tree) -> None:
    root = project(tree)
    assert findings(root) == []
    assert findings(root, ("RNG301", "RNG305")) == [f"{LOADER}: RNG305"]


# --- 2. each marker makes it several processes ---------------------------------------------------

MARKERS = {
    "init_process_group": ("import torch.distributed as dist", 'dist.init_process_group("nccl")'),
    "DistributedDataParallel": (
        "from torch.nn.parallel import DistributedDataParallel",
        "model = DistributedDataParallel(model)",
    ),
    "DDP-dotted": ("import torch.nn as nn", "model = nn.parallel.DistributedDataParallel(model)"),
    "FSDP": (
        "from torch.distributed.fsdp import FullyShardedDataParallel as FSDP",
        "model = FSDP(model)",
    ),
    "fully_shard": ("from torch.distributed.fsdp import fully_shard", "fully_shard(model)"),
    "DistributedSampler": (
        "from torch.utils.data.distributed import DistributedSampler",
        "sampler = DistributedSampler(ds)",
    ),
    "Accelerator": ("import accelerate", "accelerator = accelerate.Accelerator()"),
    "lightning-ddp": ("import lightning as L", 'trainer = L.Trainer(strategy="ddp")'),
    "pl-devices": ("import pytorch_lightning as pl", "trainer = pl.Trainer(devices=4)"),
    "Fabric": ("import lightning as L", "fabric = L.Fabric(devices=2)"),
    "devices=-1": ("import lightning as L", 'trainer = L.Trainer(accelerator="gpu", devices=-1)'),
    "num_nodes=2": ("import pytorch_lightning as pl", "trainer = pl.Trainer(num_nodes=2)"),
    "gpus=2": ("import pytorch_lightning as pl", "trainer = pl.Trainer(gpus=2)"),
    "devices-variable": (
        "import lightning as L",
        "trainer = L.Trainer(devices=torch.cuda.device_count())",
    ),
    "environ[LOCAL_RANK]": ("import os", 'local_rank = int(os.environ["LOCAL_RANK"])'),
    "environ.get(RANK)": ("import os", 'rank = os.environ.get("RANK")'),
    "getenv(LOCAL_RANK)": ("import os", 'local_rank = os.getenv("LOCAL_RANK")'),
}


@pytest.mark.parametrize(("imports", "marker"), MARKERS.values(), ids=list(MARKERS))
def test_each_marker_makes_it_several_processes(tree, imports: str, marker: str) -> None:
    root = project(tree, imports, marker)
    assert findings(root) == [f"{LOADER}: RNG301"]
    # With both selected each rule reports the loader once.
    assert findings(root, ("RNG301", "RNG305")) == [f"{LOADER}: RNG301", f"{LOADER}: RNG305"]


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ("torch.manual_seed(0)", [f"{LOADER}: RNG301"]),
        # mae: `seed = args.seed + misc.get_rank()`; yolov5: `init_seeds(opt.seed + 1 + RANK)`
        ("seed = 0 + dist.get_rank(); torch.manual_seed(seed)", []),
        ("torch.manual_seed(0 + int(os.environ['RANK']))", []),
        ("seed_everything(0, per_rank=True)", []),
        # never seeded: each rank starts from its own entropy (RNG003's business, not RNG301's)
        ("pass", []),
    ],
)
def test_only_ranks_seeded_alike_repeat_worker_streams(
    tree, seed: str, expected: list[str]
) -> None:
    train = textwrap.dedent(TRAIN).format(
        imports="import os; import torch.distributed as dist; from seedlint_runtime import seed_everything",
        marker='dist.init_process_group("nccl")',
    )
    train = train.replace("torch.manual_seed(0)", seed)
    root = tree({"data.py": CROPS, "model.py": MODEL, "train.py": train})
    assert findings(root) == expected
    assert findings(root, ("RNG305",)) == [f"{LOADER}: RNG305"]


def test_message_names_the_marker(tree) -> None:
    root = project(tree, *MARKERS["init_process_group"])
    (message,) = messages(root, "RNG301")
    assert "train.py:13" in message and "init_process_group" in message


SINGLE_DEVICE = {
    "strategy-auto": ("import lightning as L", 'trainer = L.Trainer(strategy="auto")'),
    "strategy-single_device": (
        "import lightning as L",
        'trainer = L.Trainer(strategy="single_device")',
    ),
    "strategy-dp": ("import pytorch_lightning as pl", 'trainer = pl.Trainer(strategy="dp")'),
    "devices-1": ("import pytorch_lightning as pl", "trainer = pl.Trainer(devices=1)"),
    "fabric-devices-1": (
        "import lightning as L",
        "fabric = L.Fabric(accelerator='gpu', devices=1)",
    ),
    "no-arguments": ("import lightning as L", "trainer = L.Trainer(max_epochs=10)"),
    "other-env": ("import os", 'world = os.environ.get("WANDB_PROJECT")'),
}


@pytest.mark.parametrize(("imports", "marker"), SINGLE_DEVICE.values(), ids=list(SINGLE_DEVICE))
def test_single_device_runners_are_one_process(tree, imports: str, marker: str) -> None:
    root = project(tree, imports, marker)
    assert findings(root) == []
    assert findings(root, ("RNG305",)) == [f"{LOADER}: RNG305"]


def test_marker_in_a_function_no_entry_point_calls(tree) -> None:
    train = textwrap.dedent(TRAIN).format(
        imports="import torch.distributed as dist", marker="model.train()"
    )
    train += '\n\ndef setup_distributed():\n    dist.init_process_group("nccl")\n'
    root = tree({"data.py": CROPS, "model.py": MODEL, "train.py": train})
    assert findings(root) == []
    assert findings(root, ("RNG305",)) == [f"{LOADER}: RNG305"]


SHARED_LOADER = {
    "data.py": CROPS,
    "pipeline/__init__.py": "",
    "pipeline/loaders.py": """
        from torch.utils.data import DataLoader

        from data import Crops


        def train_loader(workers):
            return DataLoader(Crops(list(range(1000))), batch_size=32, num_workers=workers)
    """,
    "train.py": """
        import torch

        from pipeline.loaders import train_loader


        def main():
            torch.manual_seed(0)
            for batch in train_loader(4):
                pass


        if __name__ == "__main__":
            main()
    """,
}
SHARED = "pipeline/loaders.py:7"


def test_judged_per_entry_point_one_of_them_distributed(tree) -> None:
    """The single-GPU script and the DDP script share the loader: the DDP one reaches it."""
    root = tree(
        {
            **SHARED_LOADER,
            "train_ddp.py": """
                import torch
                import torch.distributed as dist

                from pipeline.loaders import train_loader


                def main():
                    dist.init_process_group("nccl")
                    torch.manual_seed(0)
                    for batch in train_loader(4):
                        pass


                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert findings(root) == [f"{SHARED}: RNG301"]


def test_judged_per_entry_point_distributed_one_does_not_reach_it(tree) -> None:
    """A distributed evaluation script elsewhere in the repository does not make the
    single-process training script's loader matter."""
    root = tree(
        {
            **SHARED_LOADER,
            "evaluate.py": """
                import torch.distributed as dist


                def main():
                    dist.init_process_group("nccl")
                    print(dist.get_rank())


                if __name__ == "__main__":
                    main()
            """,
        }
    )
    assert findings(root) == []
    assert findings(root, ("RNG305",)) == [f"{SHARED}: RNG305"]


# --- 3. the marker in another module ---------------------------------------------------------------


def test_marker_in_a_module_the_entry_point_calls(tree) -> None:
    root = project(
        tree,
        "from utils.dist import init_distributed",
        "init_distributed()",
        **{
            "utils/__init__.py": "",
            "utils/dist.py": """
                import os

                import torch.distributed as dist


                def init_distributed():
                    dist.init_process_group("nccl")
                    return dist.get_rank()
            """,
        },
    )
    assert findings(root) == [f"{LOADER}: RNG301"]
    (message,) = messages(root, "RNG301")
    assert "utils/dist.py:7" in message


def test_marker_in_a_module_imported_but_not_called(tree) -> None:
    """The entry point imports the helper module but never calls the function that holds the
    marker: one process."""
    root = project(
        tree,
        "from utils.dist import init_distributed",
        "model.train()",
        **{
            "utils/__init__.py": "",
            "utils/dist.py": """
                import torch.distributed as dist


                def init_distributed():
                    dist.init_process_group("nccl")
            """,
        },
    )
    assert findings(root) == []
    assert findings(root, ("RNG305",)) == [f"{LOADER}: RNG305"]


def test_module_level_rank_read_in_an_imported_module(tree) -> None:
    root = project(
        tree,
        "from utils.env import LOCAL_RANK",
        "device = torch.device('cuda', max(LOCAL_RANK, 0))",
        **{
            "utils/__init__.py": "",
            "utils/env.py": """
                import os

                LOCAL_RANK = int(os.getenv("LOCAL_RANK", -1))
                IS_MAIN = LOCAL_RANK in (-1, 0)
            """,
        },
    )
    assert findings(root) == [f"{LOADER}: RNG301"]


# --- 4. whether the workers may draw ---------------------------------------------------------------

DDP_TRAIN = """
    import torch
    import torch.distributed as dist
    from torch.utils.data import DataLoader
    {imports}


    def main():
        dist.init_process_group("nccl")
        torch.manual_seed(0)
        {build}
        loader = DataLoader({loader_args})
        for batch in loader:
            pass


    if __name__ == "__main__":
        main()
"""
DDP_LOADER = "train.py:11"


def ddp(imports: str, build: str, loader_args: str) -> str:
    return textwrap.dedent(DDP_TRAIN).format(imports=imports, build=build, loader_args=loader_args)


def test_workers_that_draw_nothing(tree) -> None:
    root = tree(
        {
            "data.py": TOKENS,
            "train.py": ddp(
                "from data import Tokens",
                "ds = Tokens(list(range(100_000)))",
                "ds, batch_size=8, shuffle=False, num_workers=4",
            ),
        }
    )
    assert findings(root) == []
    assert findings(root, ("RNG305",)) == [f"{DDP_LOADER}: RNG305"]


IMAGES = """
    from PIL import Image
    from torch.utils.data import Dataset


    class Images(Dataset):
        def __init__(self, paths, transform=None):
            self.paths = paths
            self.transform = transform

        def __len__(self):
            return len(self.paths)

        def __getitem__(self, i):
            img = Image.open(self.paths[i]).convert("RGB")
            if self.transform is not None:
                img = self.transform(img)
            return img
"""


def test_transform_passed_from_outside_draws_when_it_is_random(tree) -> None:
    root = tree(
        {
            "data.py": IMAGES,
            "train.py": ddp(
                "import torchvision.transforms as T\nfrom data import Images",
                "ds = Images(['a.jpg'], transform=T.Compose([T.RandomCrop(224), T.ToTensor()]))",
                "ds, batch_size=8, num_workers=4",
            ),
        }
    )
    assert findings(root) == ["train.py:12: RNG301"]


def test_a_deterministic_torchvision_transform_draws_nothing(tree) -> None:
    # torchvision's table (issue 15) knows Resize and ToTensor do not draw: the workers draw
    # nothing, so seeding them per rank changes nothing
    root = tree(
        {
            "data.py": IMAGES,
            "train.py": ddp(
                "import torchvision.transforms as T\nfrom data import Images",
                "ds = Images(['a.jpg'], transform=T.Compose([T.Resize(256), T.ToTensor()]))",
                "ds, batch_size=8, num_workers=4",
            ),
        }
    )
    assert findings(root) == []


def test_transform_from_an_external_factory_may_draw(tree) -> None:
    root = tree(
        {
            "data.py": IMAGES,
            "train.py": ddp(
                "from timm.data import create_transform\nfrom data import Images",
                "ds = Images(['a.jpg'], transform=create_transform(224, is_training=True))",
                "ds, batch_size=8, num_workers=4",
            ),
        }
    )
    assert findings(root) == ["train.py:12: RNG301"]


def test_transform_that_is_a_project_function_without_draws(tree) -> None:
    root = tree(
        {
            "data.py": IMAGES,
            "transforms.py": """
                import numpy as np


                def to_array(img):
                    return np.asarray(img, dtype=np.float32) / 255.0
            """,
            "train.py": ddp(
                "from transforms import to_array\nfrom data import Images",
                "ds = Images(['a.jpg'], transform=to_array)",
                "ds, batch_size=8, num_workers=4",
            ),
        }
    )
    assert findings(root) == []
    assert findings(root, ("RNG305",)) == ["train.py:12: RNG305"]


def test_transform_that_is_a_project_class_that_draws(tree) -> None:
    root = tree(
        {
            "data.py": IMAGES,
            "transforms.py": """
                import random


                class RandomFlip:
                    def __init__(self, p=0.5):
                        self.p = p

                    def __call__(self, img):
                        return img[:, ::-1] if random.random() < self.p else img
            """,
            "train.py": ddp(
                "from transforms import RandomFlip\nfrom data import Images",
                "ds = Images(['a.jpg'], transform=RandomFlip())",
                "ds, batch_size=8, num_workers=4",
            ),
        }
    )
    assert findings(root) == ["train.py:12: RNG301"]


def test_iterable_dataset_that_draws_in_iter(tree) -> None:
    root = tree(
        {
            "data.py": """
                import random

                from torch.utils.data import IterableDataset


                class Shards(IterableDataset):
                    def __init__(self, shards):
                        self.shards = shards

                    def __iter__(self):
                        order = list(self.shards)
                        random.shuffle(order)
                        yield from order
            """,
            "train.py": ddp(
                "from data import Shards",
                "ds = Shards(['a.tar', 'b.tar'])",
                "ds, batch_size=None, num_workers=2",
            ),
        }
    )
    assert findings(root) == [f"{DDP_LOADER}: RNG301"]


COLLATE = """
    import random

    import torch


    def mask_tokens(batch):
        xs = torch.stack([x for x, _ in batch])
        for row in xs:
            row[random.randrange(len(row))] = 0
        return xs, torch.stack([y for _, y in batch])


    def stack(batch):
        return torch.stack([x for x, _ in batch]), torch.stack([y for _, y in batch])
"""


def test_collate_fn_that_draws(tree) -> None:
    root = tree(
        {
            "data.py": TOKENS,
            "collate.py": COLLATE,
            "train.py": ddp(
                "from collate import mask_tokens\nfrom data import Tokens",
                "ds = Tokens(list(range(100_000)))",
                "ds, batch_size=8, num_workers=4, collate_fn=mask_tokens",
            ),
        }
    )
    assert findings(root) == ["train.py:12: RNG301"]


def test_collate_fn_that_draws_nothing(tree) -> None:
    root = tree(
        {
            "data.py": TOKENS,
            "collate.py": COLLATE,
            "train.py": ddp(
                "from collate import stack\nfrom data import Tokens",
                "ds = Tokens(list(range(100_000)))",
                "ds, batch_size=8, num_workers=4, collate_fn=stack",
            ),
        }
    )
    assert findings(root) == []
    assert findings(root, ("RNG305",)) == ["train.py:12: RNG305"]


def test_dataset_from_an_external_library_may_draw(tree) -> None:
    root = tree(
        {
            "train.py": ddp(
                "import datasets",
                'ds = datasets.load_dataset("imdb", split="train").with_format("torch")',
                "ds, batch_size=8, num_workers=4",
            ),
        }
    )
    assert findings(root) == [f"{DDP_LOADER}: RNG301"]


# --- 5. library code no entry point reaches ------------------------------------------------------

LIBRARY_LOADER = """
    import os

    from torch.utils.data import DataLoader

    {marker}


    def make_loader(ds, cfg):
        return DataLoader(ds, batch_size=cfg.batch_size, num_workers=cfg.workers)
"""


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ('LOCAL_RANK = int(os.environ.get("LOCAL_RANK", 0))', ["mylib/loaders.py:9: RNG301"]),
        (
            'def setup():\n    import torch.distributed as dist\n    dist.init_process_group("nccl")',
            ["mylib/loaders.py:11: RNG301"],
        ),
        ("NUM_CPUS = os.cpu_count()", []),
    ],
    ids=["rank-read", "init_process_group", "none"],
)
def test_library_loader_is_judged_by_its_own_file(tree, marker: str, expected: list[str]) -> None:
    loaders = textwrap.dedent(LIBRARY_LOADER).replace("{marker}", marker)
    root = tree(
        {
            "mylib/__init__.py": "",
            "mylib/loaders.py": loaders,
            # a marker in another library file does not count for this loader
            "mylib/dist.py": """
                import torch.distributed as dist


                def init():
                    dist.init_process_group("nccl")
            """,
        }
    )
    assert findings(root) == expected
    assert len(findings(root, ("RNG305",))) == 1


# --- 6. what silences it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loader_args",
    [
        "ds, batch_size=32, num_workers=4, worker_init_fn=seed_worker",
        "ds, batch_size=32, num_workers=0",
        "ds, batch_size=32",
    ],
    ids=["worker_init_fn", "num_workers=0", "no-num_workers"],
)
def test_worker_init_fn_or_no_workers(tree, loader_args: str) -> None:
    root = tree(
        {
            "data.py": CROPS,
            "train.py": ddp(
                "from seedlint_runtime import seed_worker\nfrom data import Crops",
                "ds = Crops(list(range(1000)))",
                loader_args,
            ),
        }
    )
    assert findings(root, ("RNG301", "RNG305")) == []


# --- 7. RNG104 needs a loader with workers over the dataset ----------------------------------------

HELD_RNG = """
    import numpy as np
    from torch.utils.data import Dataset


    class Jitter(Dataset):
        def __init__(self, items, seed=0):
            self.items = items
            self.rng = np.random.default_rng(seed)

        def __len__(self):
            return len(self.items)

        def __getitem__(self, i):
            return self.items[i] + self.rng.normal()
"""
CREATED = "data.py:8: RNG104"

SINGLE_TRAIN = """
    import torch
    from torch.utils.data import DataLoader

    from data import Jitter


    def main():
        torch.manual_seed(0)
        ds = Jitter(list(range(100)))
        loader = DataLoader(ds, batch_size=4, num_workers={workers})
        for batch in loader:
            pass


    if __name__ == "__main__":
        main()
"""


@pytest.mark.parametrize(("workers", "expected"), [("0", []), ("4", [CREATED])])
def test_rng104_needs_a_loader_with_workers(tree, workers: str, expected: list[str]) -> None:
    root = tree(
        {"data.py": HELD_RNG, "train.py": textwrap.dedent(SINGLE_TRAIN).format(workers=workers)}
    )
    assert findings(root, ("RNG104",)) == expected


def test_rng104_another_loader_with_workers_over_an_unknown_dataset(tree) -> None:
    """Jitter's own loader has no workers, but a loader with workers over a dataset the
    analysis cannot resolve may be handed a Jitter."""
    root = tree(
        {
            "data.py": HELD_RNG,
            "train.py": """
                import torch
                from torch.utils.data import DataLoader

                from data import Jitter
                from registry import build_dataset


                def main(cfg):
                    torch.manual_seed(0)
                    val = DataLoader(Jitter(list(range(100))), batch_size=4)
                    train = DataLoader(build_dataset(cfg), batch_size=4, num_workers=4)
                    for batch in train:
                        pass


                if __name__ == "__main__":
                    main(None)
            """,
        }
    )
    assert findings(root, ("RNG104",)) == [CREATED]


def test_rng104_dataset_only_defined(tree) -> None:
    assert findings(tree({"data.py": HELD_RNG}), ("RNG104",)) == [CREATED]


def test_rng104_dataset_handed_to_an_external_trainer(tree) -> None:
    root = tree(
        {
            "data.py": HELD_RNG,
            "train.py": """
                from transformers import Trainer, TrainingArguments

                from data import Jitter


                def main(model):
                    ds = Jitter(list(range(100)))
                    args = TrainingArguments("out", dataloader_num_workers=4)
                    Trainer(model=model, args=args, train_dataset=ds).train()


                if __name__ == "__main__":
                    main(None)
            """,
        }
    )
    assert findings(root, ("RNG104",)) == [CREATED]


# --- 8. --fix -------------------------------------------------------------------------------------


@pytest.mark.parametrize("select", ["RNG301", "RNG301,RNG305"])
def test_fix_adds_one_worker_init_fn(tree, select: str, capsys) -> None:
    root = project(tree, *MARKERS["init_process_group"])
    cli.main(["--isolated", "--no-cache", "--select", select, "--fix", str(root)])
    capsys.readouterr()
    text = (root / "train.py").read_text()
    assert "from seedlint_runtime import seed_worker\n" in text
    assert (
        "    loader = DataLoader(ds, batch_size=32, num_workers=4, worker_init_fn=seed_worker)\n"
        in text
    )
    assert text.count("worker_init_fn") == 1
    assert findings(root, ("RNG301", "RNG305")) == []
