"""Library calls that draw for the user (DESIGN: "Library calls that draw for you"):
scikit-learn estimators, splitters and functions, pandas ``sample``, Hugging Face ``datasets``'
``shuffle``/``train_test_split`` and torchvision's random transforms, judged as draws with the
same seeding semantics, grouping and contexts as direct draws.

Each program is a realistic script; the scikit-learn one is also run, before and after
``--fix --unsafe-fixes``, to show that the finding is a real change between runs and that the fix
removes it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from seedlint import fixes
from tests.conftest import write_tree
from tests.test_reach import labelled, report

PIPELINE = """
    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import GridSearchCV, KFold, train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler


    def main():
        X, y = make_classification(n_samples=200, n_features=8, random_state=0)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25)
        pipe = Pipeline([("scale", StandardScaler()), ("rf", RandomForestClassifier(n_estimators=5))])
        search = GridSearchCV(pipe, {"rf__max_depth": [2, 4]}, cv=KFold(3, shuffle=True))
        search.fit(X_tr, y_tr)
        print(np.round(search.predict_proba(X_te)[:5], 6).tolist(), X_te[:2].round(6).tolist())


    if __name__ == "__main__":
        main()
"""


def _run_twice(root: Path) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    outs = []
    for _ in range(2):
        r = subprocess.run(
            [sys.executable, "train.py"], cwd=root, env=env, capture_output=True, text=True
        )
        assert r.returncode == 0, r.stderr
        outs.append(r.stdout)
    return outs[0], outs[1]


def test_sklearn_pipeline_with_grid_search_one_cause_and_a_fix_that_works(tree) -> None:
    pytest.importorskip("sklearn")
    root = tree({"train.py": PIPELINE})
    assert labelled(root) == [
        "train.py:11: RNG002",
        "train.py:12: RNG002 (related)",  # RandomForestClassifier: drawn when the search fits
        "train.py:13: RNG002 (related)",  # KFold(shuffle=True): drawn when it splits
    ]
    (finding,) = report(root).findings
    assert "`train_test_split(X, y, test_size=0.25)` without `random_state` draws from NumPy's" in (
        finding.message
    )
    assert "pass `random_state`" in finding.message
    assert finding.fix is not None and finding.fix.applicability == "unsafe"
    first, second = _run_twice(root)
    assert first != second  # the premise: the script does not repeat

    for path, path_fixes in fixes.group(report(root).findings, unsafe=True).items():
        target = root / path
        fixed = fixes.fix_source(target.read_bytes(), path_fixes)
        assert fixed is not None
        target.write_bytes(fixed)
    source = (root / "train.py").read_text()
    assert 'random_state=derive_seed("train:main:train_test_split")' in source
    assert 'RandomForestClassifier(n_estimators=5, random_state=derive_seed("train:main:' in source
    assert 'KFold(3, shuffle=True, random_state=derive_seed("train:main:' in source
    assert labelled(root) == []
    first, second = _run_twice(root)
    assert first == second  # the fixed script repeats


def test_seeding_numpy_first_makes_every_library_call_repeatable(tree) -> None:
    root = tree(
        {"train.py": PIPELINE.replace("def main():\n", "def main():\n        np.random.seed(0)\n")}
    )
    assert labelled(root) == []


def test_an_estimator_draws_when_fitted_not_when_built(tree) -> None:
    root = tree(
        {
            "fit.py": """
                import numpy as np
                from sklearn.cluster import KMeans
                from sklearn.neural_network import MLPClassifier

                def main(X, y):
                    km = KMeans(8)               # built while NumPy is unseeded ...
                    unused = MLPClassifier()     # ... never fitted: draws nothing
                    np.random.seed(0)
                    km.fit(X)                    # ... fitted after the seed: repeatable
                    late = MLPClassifier((16,))
                    return late

                if __name__ == "__main__":
                    main(np.zeros((4, 2)), np.zeros(4)).fit(np.zeros((4, 2)), np.zeros(4))
            """
        }
    )
    assert labelled(root) == []


def test_deterministic_configurations_are_not_draws(tree) -> None:
    root = tree(
        {
            "models.py": """
                from sklearn.decomposition import PCA
                from sklearn.linear_model import Lasso, LogisticRegression
                from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
                from sklearn.svm import SVC

                def evaluate(X, y):
                    scores = []
                    for model in (LogisticRegression(max_iter=500), SVC(C=2.0), Lasso(0.1)):
                        scores.append(cross_val_score(model, X, y, cv=KFold(5)).mean())
                    cv = StratifiedKFold(n_splits=5, shuffle=False)
                    scores.append(cross_val_score(SVC(), PCA().fit_transform(X), y, cv=cv))
                    return scores

                if __name__ == "__main__":
                    evaluate([[0.0]], [0])
            """
        }
    )
    assert labelled(root) == []


def test_configurations_that_draw(tree) -> None:
    root = tree(
        {
            "models.py": """
                from sklearn.decomposition import PCA
                from sklearn.linear_model import LogisticRegression
                from sklearn.model_selection import cross_val_score
                from sklearn.svm import SVC

                def evaluate(X, y):
                    a = cross_val_score(LogisticRegression(solver="saga"), X, y)
                    b = cross_val_score(SVC(probability=True), X, y)
                    c = PCA(50, svd_solver="randomized").fit_transform(X)
                    return a, b, c

                if __name__ == "__main__":
                    evaluate([[0.0]], [0])
            """
        }
    )
    assert labelled(root) == [
        "models.py:7: RNG002",
        "models.py:8: RNG002 (related)",
        "models.py:9: RNG002 (related)",
    ]


def test_seed_values_are_judged_where_the_program_knows_them(tree) -> None:
    root = tree(
        {
            "train.py": """
                import argparse
                import numpy as np
                from sklearn.ensemble import RandomForestRegressor

                def fit(X, y, seed=None):
                    return RandomForestRegressor(random_state=seed).fit(X, y)

                def main():
                    parser = argparse.ArgumentParser()
                    parser.add_argument("--seed", type=int, default=0)
                    args = parser.parse_args()
                    X, y = np.zeros((8, 2)), np.zeros(8)
                    fit(X, y, seed=args.seed)          # a seed: repeatable
                    fit(X, y, 3)
                    RandomForestRegressor(random_state=np.random.RandomState(7)).fit(X, y)

                if __name__ == "__main__":
                    main()
            """,
            "quick.py": """
                import numpy as np
                from train import fit

                if __name__ == "__main__":
                    fit(np.zeros((8, 2)), np.zeros(8))  # seed left None
            """,
        }
    )
    assert labelled(root) == ["train.py:6: RNG002"]
    (finding,) = report(root).findings
    assert "quick.py" in finding.message  # the entry point that runs it unseeded


def test_unseeded_random_state_object_is_rng101_not_a_global_draw(tree) -> None:
    root = tree(
        {
            "train.py": """
                import numpy as np
                from sklearn.ensemble import RandomForestClassifier

                if __name__ == "__main__":
                    clf = RandomForestClassifier(random_state=np.random.RandomState())
                    clf.fit(np.zeros((4, 2)), np.zeros(4))
            """
        }
    )
    found = report(root, ("RNG002", "RNG101")).findings
    assert [f.code for f in found] == ["RNG101"]


def test_model_factory_in_another_module_and_models_fitted_in_a_loop(tree) -> None:
    root = tree(
        {
            "zoo.py": """
                from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
                from sklearn.linear_model import LogisticRegression

                def build(name):
                    if name == "rf":
                        return RandomForestClassifier(n_estimators=200)
                    return LogisticRegression()

                MODELS = {
                    "gb": GradientBoostingClassifier(),
                    "lr": LogisticRegression(C=0.5),
                }
            """,
            "evaluate.py": """
                import numpy as np
                from zoo import MODELS, build

                def main():
                    X, y = np.zeros((10, 3)), np.zeros(10)
                    for name, model in MODELS.items():
                        model.fit(X, y)
                    build("rf").fit(X, y)

                if __name__ == "__main__":
                    main()
            """,
        }
    )
    out = labelled(root)
    assert out[0] in ("zoo.py:10: RNG002", "zoo.py:6: RNG002"), out
    assert sorted(out) == sorted(["zoo.py:10: RNG002", "zoo.py:6: RNG002 (related)"]) or sorted(
        out
    ) == sorted(["zoo.py:6: RNG002", "zoo.py:10: RNG002 (related)"])


# --- pandas --------------------------------------------------------------------------------


def test_pandas_shuffle_and_split(tree) -> None:
    root = tree(
        {
            "prepare.py": """
                import pandas as pd

                def split(df, frac=0.8):
                    df = df.sample(frac=1).reset_index(drop=True)
                    n = int(len(df) * frac)
                    return df[:n], df[n:]

                def balanced(df):
                    return df.groupby("label").sample(n=100, random_state=1)

                if __name__ == "__main__":
                    data = pd.read_csv("data.csv")
                    train, valid = split(balanced(data))
                    train.to_csv("train.csv")
            """
        }
    )
    assert labelled(root) == ["prepare.py:4: RNG002"]
    (finding,) = report(root).findings
    assert "`df.sample(frac=1)` without `random_state` draws from NumPy's global RNG" in (
        finding.message
    )
    assert "prepare.py" in finding.message


def test_a_project_objects_sample_method_is_its_own(tree) -> None:
    root = tree(
        {
            "buffer.py": """
                import pandas as pd

                class Replay:
                    def __init__(self, rows):
                        self.rows = rows

                    def sample(self, n):
                        return self.rows[:n]

                if __name__ == "__main__":
                    memory = Replay(pd.read_csv("log.csv").to_dict("records"))
                    batch = memory.sample(32)
            """
        }
    )
    assert labelled(root) == []


# --- Hugging Face datasets -----------------------------------------------------------------


def test_datasets_shuffle_and_split(tree) -> None:
    root = tree(
        {
            "finetune.py": """
                from datasets import load_dataset

                def main():
                    raw = load_dataset("imdb")
                    train = raw["train"].shuffle().select(range(1000))
                    parts = train.train_test_split(test_size=0.1)
                    frozen = raw["test"].shuffle(seed=42)
                    ordered = train.train_test_split(test_size=0.1, shuffle=False)
                    return parts, frozen, ordered

                if __name__ == "__main__":
                    main()
            """
        }
    )
    assert labelled(root) == ["finetune.py:5: RNG002", "finetune.py:6: RNG002 (related)"]
    (finding,) = report(root).findings
    assert "without `seed` takes its seed from NumPy's global RNG" in finding.message


def test_a_project_package_named_datasets_is_not_hugging_face(tree) -> None:
    root = tree(
        {
            "datasets/__init__.py": """
                def build_dataset(name):
                    return list(range(10))
            """,
            "train.py": """
                from datasets import build_dataset

                if __name__ == "__main__":
                    items = build_dataset("coco")
                    items.shuffle()
            """,
        }
    )
    assert labelled(root) == []


# --- torchvision ---------------------------------------------------------------------------

AUGMENT = """
    import torchvision.transforms as T

    train_tf = T.Compose([
        T.RandomResizedCrop(224),
        T.RandomHorizontalFlip(),
        T.ToTensor(),
        T.Normalize([0.5] * 3, [0.5] * 3),
    ])
    eval_tf = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor()])
"""


def test_torchvision_augmentation_in_the_main_process(tree) -> None:
    root = tree(
        {
            "augment.py": AUGMENT,
            "preview.py": """
                from PIL import Image
                from augment import eval_tf, train_tf

                def main(path):
                    img = Image.open(path)
                    eval_tf(img).save("eval.png")
                    return train_tf(img)

                if __name__ == "__main__":
                    main("cat.jpg")
            """,
        }
    )
    assert labelled(root) == ["augment.py:4: RNG003", "augment.py:5: RNG003 (related)"]
    (finding,) = report(root).findings
    assert "each time it is applied" in finding.message
    assert "preview.py" in finding.message
    assert "(`preview.py:7 train_tf(img)` → `augment.py:4 T.RandomResizedCrop(224)`)" in (
        finding.message
    )


def test_torchvision_augmentation_in_workers_is_seeded_by_the_main_torch_seed(tree) -> None:
    train = """
        import torch
        from torch.utils.data import DataLoader
        from torchvision.datasets import CIFAR10
        from augment import train_tf

        def main():
            {seed}
            ds = CIFAR10("data", train=True, transform=train_tf)
            for images, labels in DataLoader(ds, batch_size=64, shuffle=True, num_workers=4):
                pass

        if __name__ == "__main__":
            main()
    """
    seeded = tree({"augment.py": AUGMENT, "train.py": train.format(seed="torch.manual_seed(0)")})
    assert labelled(seeded, ("RNG003",)) == []
    root = write_tree(
        seeded / "unseeded", {"augment.py": AUGMENT, "train.py": train.format(seed="pass")}
    )
    out = labelled(root, ("RNG003",))
    assert out[0] == "augment.py:4: RNG003", out
    (finding,) = report(root, ("RNG003",)).findings
    assert "DataLoader worker processes" in finding.message


def test_a_project_dataset_applies_the_transform_in_its_workers(tree) -> None:
    root = tree(
        {
            "data.py": """
                import torchvision.transforms.v2 as T
                from torch.utils.data import Dataset

                class Folder(Dataset):
                    def __init__(self, files, transform=None):
                        self.files, self.transform = files, transform

                    def __len__(self):
                        return len(self.files)

                    def __getitem__(self, i):
                        img = self.files[i]
                        return self.transform(img) if self.transform else img

                AUG = T.Compose([T.RandomCrop(32, padding=4), T.ToImage()])
            """,
            "train.py": """
                import torch
                from torch.utils.data import DataLoader
                from data import AUG, Folder

                if __name__ == "__main__":
                    torch.manual_seed(0)
                    loader = DataLoader(Folder(["a.png"], AUG), num_workers=2)
                    crops = [AUG(x) for x in ["b.png"]]   # main process, after the seed
            """,
        }
    )
    assert labelled(root, ("RNG003",)) == []


def test_get_params_draws_where_it_is_called(tree) -> None:
    root = tree(
        {
            "crop.py": """
                from torchvision import transforms

                def paired_crop(img, mask):
                    i, j, h, w = transforms.RandomCrop.get_params(img, (256, 256))
                    return img.crop((j, i, j + w, i + h)), mask.crop((j, i, j + w, i + h))

                if __name__ == "__main__":
                    paired_crop(None, None)
            """
        }
    )
    assert labelled(root, ("RNG003",)) == ["crop.py:4: RNG003"]


def test_fitting_a_deterministic_estimator_does_not_fit_the_others(tree) -> None:
    root = tree(
        {
            "card.py": """
                import numpy as np
                from sklearn.ensemble import RandomForestClassifier
                from sklearn.linear_model import LogisticRegression

                CANDIDATES = {"forest": RandomForestClassifier(n_estimators=200)}

                def main():
                    card = {k: m.get_params() for k, m in CANDIDATES.items()}
                    lr = LogisticRegression(max_iter=200)
                    lr.fit(np.zeros((4, 2)), np.zeros(4))
                    return card, lr

                if __name__ == "__main__":
                    main()
            """
        }
    )
    assert labelled(root) == []


def test_a_seed_left_none_in_a_config_dict_copy(tree) -> None:
    config = """
        DEFAULTS = {"n_estimators": 60, "seed": SEED}

        def load_config(**overrides):
            cfg = dict(DEFAULTS)
            cfg.update(overrides)
            return cfg
    """
    fit = """
        import numpy as np
        from sklearn.ensemble import RandomForestRegressor
        from config import load_config

        def main():
            cfg = load_config()
            model = RandomForestRegressor(cfg["n_estimators"], random_state=cfg["seed"])
            return model.fit(np.zeros((4, 2)), np.zeros(4))

        if __name__ == "__main__":
            main()
    """
    root = tree({"config.py": config.replace("SEED", "None"), "fit.py": fit})
    assert labelled(root) == ["fit.py:7: RNG002"]
    fixed = write_tree(root / "fixed", {"config.py": config.replace("SEED", "0"), "fit.py": fit})
    assert labelled(fixed) == []
    # an override that is not known may set the seed: not reported
    unknown = write_tree(
        root / "unknown",
        {
            "config.py": config.replace("SEED", "None"),
            "fit.py": fit.replace("load_config()", "load_config(**dict(os.environ))").replace(
                "import numpy as np", "import os\n        import numpy as np"
            ),
        },
    )
    assert labelled(unknown) == []


def test_other_objects_sample_and_shuffle_methods_are_theirs(tree) -> None:
    root = tree(
        {
            "rollout.py": """
                import gymnasium as gym
                import pandas as pd
                from datasets import Dataset

                def main(rng):
                    env = gym.make("CartPole-v1")
                    actions = [env.action_space.sample() for _ in range(10)]
                    order = list(range(10))
                    rng.shuffle(order)
                    table = Dataset.from_dict({"a": actions}).shuffle(42)
                    pd.DataFrame({"a": actions}).to_csv("log.csv")
                    return table

                if __name__ == "__main__":
                    main(None)
            """
        }
    )
    assert labelled(root) == []


def test_a_job_run_later_seeds_before_its_loader_applies_transforms(tree) -> None:
    # facebookresearch/mae: submitit runs `Trainer()(…)` → `main(args)`, which seeds torch and
    # then builds the loader whose workers apply the transforms
    root = tree(
        {
            "main_lp.py": """
                import torch
                import torchvision.datasets as datasets
                import torchvision.transforms as transforms

                def main(args):
                    torch.manual_seed(args.seed)
                    tf = transforms.Compose([transforms.RandomHorizontalFlip(), transforms.ToTensor()])
                    ds = datasets.ImageFolder(args.data_path, transform=tf)
                    for batch in torch.utils.data.DataLoader(ds, batch_size=4, num_workers=8):
                        pass
            """,
            "submit.py": """
                import submitit
                import main_lp

                class Trainer:
                    def __init__(self, args):
                        self.args = args

                    def __call__(self):
                        main_lp.main(self.args)

                if __name__ == "__main__":
                    executor = submitit.AutoExecutor(folder="logs")
                    executor.submit(Trainer(object()))
            """,
        }
    )
    assert labelled(root, ("RNG003",)) == []


def test_hugging_face_trainer_seeds_before_the_stored_transform_runs(tree) -> None:
    root = tree(
        {
            "finetune.py": """
                from datasets import load_dataset
                from torchvision.transforms import Compose, RandomResizedCrop, ToTensor
                from transformers import Trainer, TrainingArguments

                def main(model):
                    ds = load_dataset("food101", split="train[:500]")
                    augment = Compose([RandomResizedCrop(224), ToTensor()])

                    def preprocess(batch):
                        batch["pixel_values"] = [augment(im) for im in batch["image"]]
                        return batch

                    ds.set_transform(preprocess)  # runs when the trainer reads items
                    trainer = Trainer(model, TrainingArguments("out"), train_dataset=ds)
                    trainer.train()

                if __name__ == "__main__":
                    main(None)
            """
        }
    )
    assert labelled(root) == []


def test_a_stored_datasets_transform_runs_where_a_dataloader_reads_items(tree) -> None:
    root = tree(
        {
            "eval.py": """
                import random
                from datasets import load_dataset
                from torch.utils.data import DataLoader

                def prep(examples):
                    examples["x"] = [random.random() for _ in examples["text"]]
                    return examples

                def main():
                    ds = load_dataset("imdb")["test"].with_transform(prep)
                    for batch in DataLoader(ds, batch_size=4):
                        print(batch["x"])

                if __name__ == "__main__":
                    main()
            """
        }
    )
    assert labelled(root) == ["eval.py:6: RNG001"]
