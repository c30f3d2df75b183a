"""The tables of random APIs, seeders and entropy sources: data, in one place.

Every name is fully qualified as it is imported (``numpy.random.rand``, ``torch.nn.init.normal_``).
``tests/test_apis.py`` introspects the installed stdlib ``random``, numpy and torch and fails when
a sampling function is missing here, so the tables cannot silently fall behind a release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

PYTHON = "python"
NUMPY = "numpy"
TORCH = "torch"
LIBRARIES: tuple[str, ...] = (PYTHON, NUMPY, TORCH)
ALL_LIBRARIES = frozenset(LIBRARIES)

LIBRARY_TITLE = {PYTHON: "Python's `random`", NUMPY: "NumPy's global RNG", TORCH: "torch"}
LIBRARY_SEEDER = {
    PYTHON: "random.seed(...)",
    NUMPY: "np.random.seed(...)",
    TORCH: "torch.manual_seed(...)",
}

# --- draws from a global generator -------------------------------------------------------------

#: Bound methods of ``random._inst``, minus seed/getstate/setstate.
PYTHON_RANDOM_DRAWS = frozenset(
    {
        "betavariate",
        "binomialvariate",
        "choice",
        "choices",
        "expovariate",
        "gammavariate",
        "gauss",
        "getrandbits",
        "lognormvariate",
        "normalvariate",
        "paretovariate",
        "randbytes",
        "randint",
        "random",
        "randrange",
        "sample",
        "shuffle",
        "triangular",
        "uniform",
        "vonmisesvariate",
        "weibullvariate",
    }
)

#: The legacy ``numpy.random`` functions that draw from the global ``RandomState``.
NUMPY_LEGACY_DRAWS = frozenset(
    {
        "beta",
        "binomial",
        "bytes",
        "chisquare",
        "choice",
        "dirichlet",
        "exponential",
        "f",
        "gamma",
        "geometric",
        "gumbel",
        "hypergeometric",
        "laplace",
        "logistic",
        "lognormal",
        "logseries",
        "multinomial",
        "multivariate_normal",
        "negative_binomial",
        "noncentral_chisquare",
        "noncentral_f",
        "normal",
        "pareto",
        "permutation",
        "poisson",
        "power",
        "rand",
        "randint",
        "randn",
        "random",
        "random_integers",
        "random_sample",
        "ranf",
        "rayleigh",
        "sample",
        "shuffle",
        "standard_cauchy",
        "standard_exponential",
        "standard_gamma",
        "standard_normal",
        "standard_t",
        "triangular",
        "uniform",
        "vonmises",
        "wald",
        "weibull",
        "zipf",
    }
)

#: ``torch.*`` functions that sample from the default generator (they take ``generator=``).
TORCH_DRAWS = frozenset(
    {
        "bernoulli",
        "multinomial",
        "normal",
        "poisson",
        "rand",
        "rand_like",
        "randint",
        "randint_like",
        "randn",
        "randn_like",
        "randperm",
        # random regularisers exposed at the top level
        "dropout",
        "dropout_",
        "alpha_dropout",
        "alpha_dropout_",
        "feature_dropout",
        "feature_dropout_",
        "feature_alpha_dropout",
        "feature_alpha_dropout_",
        "native_dropout",
        "rrelu",
        "rrelu_",
    }
)

#: ``torch.nn.init`` initialisers that sample (they take ``generator=``).
TORCH_INIT_DRAWS = frozenset(
    {
        "kaiming_normal_",
        "kaiming_uniform_",
        "normal_",
        "orthogonal_",
        "sparse_",
        "trunc_normal_",
        "uniform_",
        "xavier_normal_",
        "xavier_uniform_",
        # deprecated spellings still found in older code
        "kaiming_normal",
        "kaiming_uniform",
        "normal",
        "orthogonal",
        "sparse",
        "uniform",
        "xavier_normal",
        "xavier_uniform",
    }
)

#: ``torch.nn.functional`` functions that draw (dropout in functional form and friends).
TORCH_FUNCTIONAL_DRAWS = frozenset(
    {
        "alpha_dropout",
        "dropout",
        "dropout1d",
        "dropout2d",
        "dropout3d",
        "feature_alpha_dropout",
        "fractional_max_pool2d",
        "fractional_max_pool2d_with_indices",
        "fractional_max_pool3d",
        "fractional_max_pool3d_with_indices",
        "gumbel_softmax",
        "rrelu",
        "rrelu_",
    }
)

#: Functional forms that draw only in training mode: qualname → (position of ``training``,
#: its default). ``F.dropout(x, 0.1, training=False)`` and ``F.rrelu(x)`` draw nothing.
TORCH_TRAINING_FLAGS: dict[str, tuple[int, bool]] = {
    "torch.nn.functional.dropout": (2, True),
    "torch.nn.functional.dropout1d": (2, True),
    "torch.nn.functional.dropout2d": (2, True),
    "torch.nn.functional.dropout3d": (2, True),
    "torch.nn.functional.alpha_dropout": (2, False),
    "torch.nn.functional.feature_alpha_dropout": (2, False),
    "torch.nn.functional.rrelu": (3, False),
}

#: ``Tensor`` methods that sample in place from the default generator.
TORCH_TENSOR_SAMPLERS = frozenset(
    {
        "bernoulli_",
        "cauchy_",
        "exponential_",
        "geometric_",
        "log_normal_",
        "normal_",
        "random_",
        "uniform_",
    }
)

#: Methods of ``torch.distributions`` objects that draw from the default generator.
TORCH_DISTRIBUTION_SAMPLERS = frozenset({"sample", "rsample", "sample_n"})
TORCH_DISTRIBUTIONS = "torch.distributions"

#: ``torch.nn`` layers whose constructor initialises parameters from the global generator
#: (``reset_parameters`` draws): building a model is a draw. ``tests/test_apis.py`` checks each
#: against the installed torch (the generator's state changes when one is built).
TORCH_LAYER_CONSTRUCTORS = frozenset(
    {
        "Bilinear",
        "Conv1d",
        "Conv2d",
        "Conv3d",
        "ConvTranspose1d",
        "ConvTranspose2d",
        "ConvTranspose3d",
        "Embedding",
        "EmbeddingBag",
        "GRU",
        "GRUCell",
        "LSTM",
        "LSTMCell",
        "LazyConv1d",
        "LazyConv2d",
        "LazyConv3d",
        "LazyConvTranspose1d",
        "LazyConvTranspose2d",
        "LazyConvTranspose3d",
        "LazyLinear",
        "Linear",
        "MultiheadAttention",
        "RNN",
        "RNNCell",
        "Transformer",
        "TransformerDecoderLayer",
        "TransformerEncoderLayer",
    }
)

#: ``torch.nn`` modules that draw from the global generator each time they are called in
#: training mode (and never in eval mode).
TORCH_STOCHASTIC_MODULES = frozenset(
    {
        "AlphaDropout",
        "Dropout",
        "Dropout1d",
        "Dropout2d",
        "Dropout3d",
        "FeatureAlphaDropout",
        "RReLU",
    }
)

#: Modules where ``torch.nn`` layers are defined (``torch.nn.modules.linear.Linear``).
_TORCH_NN_PREFIXES = ("torch.nn.", "torch.nn.modules.")


def layer_kind(qualname: str) -> Optional[str]:
    """ "construct" for a layer whose constructor draws, "stochastic" for a module that draws
    when called in training mode, else None."""
    if not qualname.startswith("torch.nn."):
        return None
    module, _, name = qualname.rpartition(".")
    if module != "torch.nn" and not module.startswith("torch.nn.modules"):
        return None
    if name in TORCH_LAYER_CONSTRUCTORS:
        return "construct"
    if name in TORCH_STOCHASTIC_MODULES:
        return "stochastic"
    return None


#: Methods that load weights into a model (what construction drew is overwritten).
#: A seed expression that differs per process (the rank, accelerate's process index or
#: ``device_specific=True``): ranks are not seeded alike (RNG301).
PER_RANK_SEED = re.compile(
    r"rank|process_index|device_specific|local_process|worker_id", re.IGNORECASE
)

#: ``nn.Module`` methods that return the module itself (``model = Net().to(device)``).
MODULE_RETURNS_SELF = frozenset(
    {
        "to",
        "cuda",
        "cpu",
        "float",
        "half",
        "double",
        "bfloat16",
        "train",
        "eval",
        "requires_grad_",
        "to_empty",
        "share_memory",
        "zero_grad",
    }
)

#: Context managers under which modules are built on the meta device (no draw).
META_DEVICE_CONTEXTS = frozenset(
    {
        "accelerate.init_empty_weights",
        "accelerate.big_modeling.init_empty_weights",
        "accelerate.utils.init_empty_weights",
        "transformers.modeling_utils.no_init_weights",
        "diffusers.models.modeling_utils.no_init_weights",
    }
)

WEIGHT_LOADERS = frozenset(
    {
        "load_state_dict",
        "load_checkpoint",
        "load_weights",
        "load_pretrained",
        "from_pretrained",
        "load_from_checkpoint",
        "load_pretrained_weights",
    }
)

#: Context managers that restore every generator's state when their block ends.
RESTORING_CONTEXTS: dict[str, frozenset[str]] = {
    "torch.random.fork_rng": frozenset({"torch"}),
    "torch.fork_rng": frozenset({"torch"}),
    "seedlint_runtime.isolate_rng": frozenset({"python", "numpy", "torch"}),
    "seedlint_runtime.state.isolate_rng": frozenset({"python", "numpy", "torch"}),
    "lightning.pytorch.utilities.seed.isolate_rng": frozenset({"python", "numpy", "torch"}),
    "lightning.fabric.utilities.seed.isolate_rng": frozenset({"python", "numpy", "torch"}),
    "pytorch_lightning.utilities.seed.isolate_rng": frozenset({"python", "numpy", "torch"}),
}

#: ``torch.nn`` containers: "items" holds its positional arguments (``Sequential(a, b)``),
#: "arg" its first argument (``ModuleList(blocks)``, ``ModuleDict(d)``).
MODULE_CONTAINERS: dict[str, str] = {
    **{f"torch.nn.{m}Sequential": "items" for m in ("", "modules.container.")},
    **{
        f"torch.nn.{m}{name}": "arg"
        for m in ("", "modules.container.")
        for name in ("ModuleList", "ModuleDict", "ParameterList")
    },
}

#: Wrap a dataset without reading its items (the DataLoader the result goes to does).
DATASET_WRAPPERS = frozenset(
    {
        f"torch.utils.data.{m}{name}"
        for m in ("", "dataset.")
        for name in ("random_split", "Subset", "ConcatDataset", "ChainDataset", "StackDataset")
    }
)

#: Calls that start a function in fresh processes (nothing the parent seeded carries over).
SPAWNERS = frozenset(
    {
        "torch.multiprocessing.spawn",
        "torch.multiprocessing.start_processes",
        "torch.multiprocessing.spawn.spawn",
    }
)

#: Modules whose functions inspect, copy, store or print what they are given without calling it
#: (``inspect.isfunction(f)``, ``dataclasses.is_dataclass(cls)``, ``functools.wraps(f)``).
NON_CALLING_MODULES = (
    "inspect.",
    "typing.",
    "types.",
    "abc.",
    "dataclasses.",
    "copy.",
    "pickle.",
    "json.",
    "weakref.",
    "warnings.",
    "logging.",
    "contextlib.",
    "collections.",
    "os.",
    "sys.",
    "re.",
    "functools.wraps",
    "functools.update_wrapper",
    "functools.lru_cache",
    "functools.cache",
    "functools.cached_property",
)


def non_calling(qualname: str) -> bool:
    """Does this external callable leave the functions and objects it is given uncalled?"""
    return qualname in NON_CALLING or qualname.startswith(NON_CALLING_MODULES)


#: External calls given objects that they do not call (no protocol method runs).
NON_CALLING = frozenset(
    {
        "builtins.print",
        "builtins.dict",
        "builtins.len",
        "builtins.isinstance",
        "builtins.id",
        "builtins.repr",
        "builtins.str",
        "builtins.type",
        "builtins.getattr",
        "builtins.hasattr",
        "builtins.setattr",
        "torch.save",
        "pickle.dump",
        "pickle.dumps",
        "json.dump",
        "json.dumps",
        "copy.deepcopy",
        "copy.copy",
        "logging.info",
        "logging.debug",
        "logging.warning",
    }
)

#: Module prefixes under which the tables above live (after alias normalisation).
_DRAW_TABLES: tuple[tuple[str, frozenset[str], str], ...] = (
    ("random", PYTHON_RANDOM_DRAWS, PYTHON),
    ("numpy.random", NUMPY_LEGACY_DRAWS, NUMPY),
    ("torch", TORCH_DRAWS, TORCH),
    ("torch.nn.init", TORCH_INIT_DRAWS, TORCH),
    ("torch.nn.functional", TORCH_FUNCTIONAL_DRAWS, TORCH),
    ("torch.Tensor", TORCH_TENSOR_SAMPLERS, TORCH),
)

#: Aliases that name the same module.
_MODULE_ALIASES = {
    "numpy.random.mtrand": "numpy.random",
    "numpy.random.mtrand._rand": "numpy.random",
    "torch.random": "torch",
    "torch._C._VariableFunctions": "torch",
    "torch.nn.modules.functional": "torch.nn.functional",
}


def normalize(qualname: str) -> str:
    """Map alias module paths onto the canonical one (``numpy.random.mtrand.rand`` → ``numpy.random.rand``)."""
    module, _, name = qualname.rpartition(".")
    canonical = _MODULE_ALIASES.get(module)
    return f"{canonical}.{name}" if canonical else qualname


def draw_library(qualname: str) -> Optional[str]:
    """The library whose global generator a call to ``qualname`` draws from, or None."""
    module, _, name = normalize(qualname).rpartition(".")
    for prefix, names, lib in _DRAW_TABLES:
        if module == prefix and name in names:
            return lib
    return None


# --- generator constructors ----------------------------------------------------------------------

NUMPY_BIT_GENERATORS = frozenset({"MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64"})

#: numpy constructors whose first argument is a seed and that take OS entropy without one.
NUMPY_SEEDABLE_CONSTRUCTORS = frozenset(
    {f"numpy.random.{n}" for n in NUMPY_BIT_GENERATORS}
    | {"numpy.random.default_rng", "numpy.random.RandomState", "numpy.random.SeedSequence"}
)
_NUMPY_CONSTRUCTOR_ALIASES = {
    "numpy.random.mtrand.RandomState": "numpy.random.RandomState",
    "numpy.random._generator.default_rng": "numpy.random.default_rng",
    "numpy.random.bit_generator.SeedSequence": "numpy.random.SeedSequence",
}
PYTHON_GENERATOR_CONSTRUCTORS = frozenset({"random.Random"})
TORCH_GENERATOR_CONSTRUCTORS = frozenset({"torch.Generator", "torch._C.Generator"})

#: Methods that give a torch generator a deterministic state.
TORCH_GENERATOR_SEEDING_METHODS = frozenset({"manual_seed", "set_state"})


def numpy_constructor(qualname: str) -> Optional[str]:
    q = _NUMPY_CONSTRUCTOR_ALIASES.get(qualname, qualname)
    return q if q in NUMPY_SEEDABLE_CONSTRUCTORS else None


# --- seeders ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeder:
    """A call that seeds global generators.

    ``arg``/``keyword``: where the seed goes (None: the call restores a state, no seed to judge).
    ``when_absent``: what a missing seed means: "entropy" (a fresh OS seed: RNG201), "fixed" (a
    documented fixed default: seeding) or "required" (the call needs one).
    ``none_is_entropy``: an explicit ``None`` means a random seed.
    """

    libs: frozenset[str]
    arg: Optional[int] = 0
    keyword: Optional[str] = "seed"
    when_absent: str = "required"
    none_is_entropy: bool = True


def _helpers(names: tuple[str, ...], **kw: object) -> dict[str, Seeder]:
    return {n: Seeder(ALL_LIBRARIES, **kw) for n in names}  # type: ignore[arg-type]


SEEDERS: dict[str, Seeder] = {
    "random.seed": Seeder(frozenset({PYTHON}), keyword="a", when_absent="entropy"),
    "random.setstate": Seeder(frozenset({PYTHON}), arg=None, keyword=None),
    "numpy.random.seed": Seeder(frozenset({NUMPY}), when_absent="entropy"),
    "numpy.random.set_state": Seeder(frozenset({NUMPY}), arg=None, keyword=None),
    "torch.manual_seed": Seeder(frozenset({TORCH})),
    "torch.set_rng_state": Seeder(frozenset({TORCH}), arg=None, keyword=None),
    # Lightning 2.x: seed=None takes PL_GLOBAL_SEED, else 0 — a fixed default.
    **_helpers(
        (
            "lightning.seed_everything",
            "lightning.pytorch.seed_everything",
            "lightning.pytorch.utilities.seed.seed_everything",
            "lightning.fabric.seed_everything",
            "lightning.Fabric.seed_everything",
            "lightning.fabric.Fabric.seed_everything",
            "lightning_fabric.Fabric.seed_everything",
            "lightning.fabric.utilities.seed.seed_everything",
            "lightning_fabric.seed_everything",
            "lightning_fabric.utilities.seed.seed_everything",
            "pytorch_lightning.seed_everything",
            "pytorch_lightning.utilities.seed.seed_everything",
            "seedlint_runtime.seed_everything",
            "seedlint_runtime.seeding.seed_everything",
            "timm.utils.random_seed",
            "timm.utils.random.random_seed",
        ),
        when_absent="fixed",
        none_is_entropy=False,
    ),
    **_helpers(
        (
            "transformers.set_seed",
            "transformers.trainer_utils.set_seed",
            "transformers.enable_full_determinism",
            "transformers.trainer_utils.enable_full_determinism",
            "accelerate.set_seed",
            "accelerate.utils.set_seed",
            "accelerate.utils.random.set_seed",
            "keras.utils.set_random_seed",
            "keras.src.utils.rng_utils.set_random_seed",
            "tensorflow.keras.utils.set_random_seed",
            "tf_keras.utils.set_random_seed",
            "fastai.torch_core.set_seed",
            "fastai.basics.set_seed",
            "fastai.torch_basics.set_seed",
            "fastai.vision.all.set_seed",
            "fastai.text.all.set_seed",
            "fastai.tabular.all.set_seed",
            "fastai.collab.all.set_seed",
            "mmcv.runner.set_random_seed",
            "mmdet.apis.set_random_seed",
            "mmseg.apis.set_random_seed",
            "mmcls.apis.set_random_seed",
            "mmpose.apis.set_random_seed",
            "composer.seed_all",
            "composer.utils.seed_all",
            "composer.utils.reproducibility.seed_all",
            "torch_geometric.seed_everything",
            "torch_geometric.seed.seed_everything",
            "ignite.utils.manual_seed",
            "stable_baselines3.common.utils.set_random_seed",
        ),
    ),
    # Trainers that seed every library from their arguments' seed (default 42) when built:
    # ``Trainer.__init__`` calls ``set_seed(args.seed)`` (or ``enable_full_determinism``).
    **_helpers(
        (
            "transformers.Trainer",
            "transformers.trainer.Trainer",
            "transformers.Seq2SeqTrainer",
            "transformers.trainer_seq2seq.Seq2SeqTrainer",
            "trl.SFTTrainer",
            "trl.DPOTrainer",
            "trl.RewardTrainer",
            "trl.PPOTrainer",
            "trl.GRPOTrainer",
        ),
        arg=None,
        keyword=None,
    ),
    # Helpers whose missing seed means "pick a random one".
    **_helpers(
        (
            "mmengine.runner.set_random_seed",
            "mmengine.runner.utils.set_random_seed",
            "detectron2.utils.env.seed_all_rng",
        ),
        when_absent="entropy",
    ),
    # MONAI: the default is a fixed seed; an explicit None turns determinism off.
    **_helpers(
        ("monai.utils.set_determinism", "monai.utils.misc.set_determinism"),
        when_absent="fixed",
    ),
}

#: Methods that seed every library whatever object they are called on (Lightning's
#: ``fabric.seed_everything(seed)``).
SEEDING_METHODS = frozenset({"seed_everything"})
#: How their seed argument is read (Lightning 2.x: absent or None is a fixed default).
SEEDING_METHOD = SEEDERS["lightning.fabric.Fabric.seed_everything"]

#: Calls that throw away a seed and reseed from OS entropy (RNG202).
ENTROPY_RESEEDS = frozenset(
    {
        "torch.seed",
        "torch.random.seed",
        "torch.cuda.seed",
        "torch.cuda.seed_all",
        "torch.cuda.random.seed",
    }
)


def seeder(qualname: str) -> Optional[Seeder]:
    s = SEEDERS.get(qualname)
    if s is None:
        s = SEEDERS.get(normalize(qualname))
    return s


# --- entropy sources for seed values (RNG201) -----------------------------------------------------

#: Calls whose result differs from run to run, with a short description for messages.
ENTROPY_CALLS: dict[str, str] = {
    **{
        f"time.{n}": "the clock"
        for n in (
            "time",
            "time_ns",
            "perf_counter",
            "perf_counter_ns",
            "monotonic",
            "monotonic_ns",
            "process_time",
            "process_time_ns",
            "thread_time",
            "thread_time_ns",
            "clock_gettime",
            "clock_gettime_ns",
            "localtime",
            "gmtime",
            "ctime",
            "strftime",
        )
    },
    **{
        f"datetime.{n}": "the clock"
        for n in ("datetime.now", "datetime.utcnow", "datetime.today", "date.today")
    },
    "os.getpid": "the process id",
    "os.getppid": "the process id",
    "os.urandom": "os.urandom",
    "os.getrandom": "os.urandom",
    "uuid.uuid1": "uuid",
    "uuid.uuid4": "uuid",
    "random.SystemRandom": "SystemRandom",
    "torch.seed": "torch.seed() (OS entropy)",
    "torch.random.seed": "torch.seed() (OS entropy)",
}
#: Whole modules whose every call is an entropy source.
ENTROPY_MODULES: dict[str, str] = {"secrets": "secrets"}


def entropy_source(qualname: str) -> Optional[str]:
    src = ENTROPY_CALLS.get(qualname)
    if src is not None:
        return src
    root = qualname.split(".", 1)[0]
    return ENTROPY_MODULES.get(root)


# --- several processes seeded alike (RNG301) ---------------------------------------------------

#: Calls that make a program run as several processes (every rank seeds alike).
MULTIPROCESS_CALLS = frozenset(
    {
        "torch.distributed.init_process_group",
        "torch.distributed.distributed_c10d.init_process_group",
        "torch.nn.parallel.DistributedDataParallel",
        "torch.nn.parallel.distributed.DistributedDataParallel",
        "torch.distributed.fsdp.FullyShardedDataParallel",
        "torch.distributed.fsdp.fully_sharded_data_parallel.FullyShardedDataParallel",
        "torch.distributed.fsdp.fully_shard",
        "torch.distributed._composable.fsdp.fully_shard",
        "torch.utils.data.DistributedSampler",
        "torch.utils.data.distributed.DistributedSampler",
        "accelerate.Accelerator",
        "accelerate.accelerator.Accelerator",
        "deepspeed.initialize",
        "horovod.torch.init",
    }
)
#: Lightning entry objects that run several processes with a multi-device strategy.
LIGHTNING_RUNNERS = frozenset(
    {
        "lightning.Trainer",
        "lightning.pytorch.Trainer",
        "pytorch_lightning.Trainer",
        "lightning.Fabric",
        "lightning.fabric.Fabric",
        "lightning_fabric.Fabric",
    }
)

# --- data loading (RNG104, RNG301–RNG303) -----------------------------------------------------------

DATALOADERS = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})
#: ``DataLoader.__init__``'s positional parameters, in order (torch ≥ 1.7; the rest are
#: keyword-only). ``tests/test_apis.py`` checks them against the installed torch.
DATALOADER_PARAMS: tuple[str, ...] = (
    "dataset",
    "batch_size",
    "shuffle",
    "sampler",
    "batch_sampler",
    "num_workers",
    "collate_fn",
    "pin_memory",
    "drop_last",
    "timeout",
    "worker_init_fn",
    "multiprocessing_context",
    "generator",
)

#: Data-order APIs that draw from the global torch generator unless given ``generator=``:
#: qualname → the position of their ``generator`` parameter.
SAMPLERS: dict[str, int] = {
    **{f"torch.utils.data.{m}random_split": 2 for m in ("", "dataset.")},
    **{
        f"torch.utils.data.{m}{name}": position
        for m in ("", "sampler.")
        for name, position in (
            ("RandomSampler", 3),
            ("SubsetRandomSampler", 1),
            ("WeightedRandomSampler", 3),
        )
    },
}

#: Classes whose subclasses are datasets that a DataLoader copies into its workers.
DATASET_BASES = frozenset(
    {
        "torch.utils.data.Dataset",
        "torch.utils.data.IterableDataset",
        "torch.utils.data.dataset.Dataset",
        "torch.utils.data.dataset.IterableDataset",
        "torch.utils.data.TensorDataset",
        "torch.utils.data.dataset.TensorDataset",
        "torchvision.datasets.VisionDataset",
        "torchvision.datasets.vision.VisionDataset",
        "torchvision.datasets.DatasetFolder",
        "torchvision.datasets.folder.DatasetFolder",
        "torchvision.datasets.ImageFolder",
        "torchvision.datasets.folder.ImageFolder",
    }
)
#: Dataset methods that run inside the DataLoader's workers.
DATASET_WORKER_METHODS = frozenset({"__getitem__", "__getitems__", "__iter__", "__next__"})

#: Private generators (RNG104): constructors of objects that hold their own stream.
PRIVATE_GENERATOR_CONSTRUCTORS = frozenset(
    NUMPY_SEEDABLE_CONSTRUCTORS - {"numpy.random.SeedSequence"}
    | {"numpy.random.Generator"}
    | PYTHON_GENERATOR_CONSTRUCTORS
    | TORCH_GENERATOR_CONSTRUCTORS
)

#: ``worker_init_fn``s that reseed every stream per worker and rank, including generators the
#: dataset holds.
RESEEDING_WORKER_INITS = frozenset(
    {"seedlint_runtime.seed_worker", "seedlint_runtime.workers.seed_worker"}
)

# --- devices (RNG401) ---------------------------------------------------------------------------

#: Random factories that take ``device=`` (checked against the installed torch in the tests).
TORCH_RANDOM_FACTORIES = frozenset(
    f"torch.{n}"
    for n in (
        "rand",
        "randn",
        "randint",
        "randperm",
        "normal",
        "rand_like",
        "randn_like",
        "randint_like",
    )
)
#: ``torch.cuda.FloatTensor(...)`` and friends: tensors created on the current CUDA device.
TORCH_CUDA_TENSOR_TYPES = frozenset(
    f"torch.cuda.{n}Tensor"
    for n in ("BFloat16", "Bool", "Byte", "Char", "Double", "Float", "Half", "Int", "Long", "Short")
)

# --- determinism (RNG501, RNG502) -------------------------------------------------------------------

#: Pseudo-library "seeded" by a call that turns on deterministic algorithms (RNG502).
DETERMINISM = "torch-deterministic"

#: Calls that turn deterministic algorithms on: qualname → (position, keyword) of the flag that
#: must be true; (None, None): the call always does.
DETERMINISM_ENABLERS: dict[str, tuple[Optional[int], Optional[str]]] = {
    "torch.use_deterministic_algorithms": (0, "mode"),
    "seedlint_runtime.seed_everything": (None, "deterministic"),
    "seedlint_runtime.seeding.seed_everything": (None, "deterministic"),
    "transformers.enable_full_determinism": (None, None),
    "transformers.trainer_utils.enable_full_determinism": (None, None),
    "transformers.set_seed": (1, "deterministic"),
    "transformers.trainer_utils.set_seed": (1, "deterministic"),
    "accelerate.utils.set_seed": (2, "deterministic"),
    "accelerate.utils.random.set_seed": (2, "deterministic"),
    "mmengine.runner.set_random_seed": (1, "deterministic"),
    "mmengine.runner.utils.set_random_seed": (1, "deterministic"),
    "monai.utils.set_determinism": (1, "use_deterministic_algorithms"),
    "monai.utils.misc.set_determinism": (1, "use_deterministic_algorithms"),
    "lightning.Trainer": (None, "deterministic"),
    "lightning.pytorch.Trainer": (None, "deterministic"),
    "pytorch_lightning.Trainer": (None, "deterministic"),
}

#: Calls that turn cuDNN autotuning on: qualname → (position, keyword) of the flag (RNG501).
CUDNN_BENCHMARK_CALLS: dict[str, tuple[Optional[int], str]] = {
    "torch.backends.cudnn.flags": (1, "benchmark"),
    "lightning.Trainer": (None, "benchmark"),
    "lightning.pytorch.Trainer": (None, "benchmark"),
    "pytorch_lightning.Trainer": (None, "benchmark"),
}
CUDNN_MODULES = frozenset({"torch.backends.cudnn"})

#: Methods that draw from a private generator (``numpy.random.Generator``, ``RandomState``,
#: ``random.Random``); ``tests/test_apis.py`` checks them against the installed libraries.
GENERATOR_METHODS = (
    PYTHON_RANDOM_DRAWS
    | NUMPY_LEGACY_DRAWS
    | frozenset({"integers", "multivariate_hypergeometric", "permuted", "tomaxint"})
)

# --- library calls that draw for you (DESIGN: "Library calls that draw for you") ---------------
# The generated tables live in ``seedlint/library_tables.py``; here is how to read them.

#: Tests on a parameter's value: "true" (truthy), "notnone", "int" (an int ≥ 1), or a tuple of
#: the values that make the call draw.
ParamTest = object

#: scikit-learn callables whose ``random_state`` is used only in some configurations: leaf
#: name → alternatives, each a conjunction of (parameter, position or -1, default, test). A call
#: draws when one alternative holds (a value not known statically may hold). ``tests/
#: test_library_tables.py`` checks every parameter, position and default against the library.
_SHUFFLE = ((("shuffle", -1, False, "true"),),)
_SHUFFLE_ON = ((("shuffle", -1, True, "true"),),)
_SOLVERS = ("sag", "saga")
SKLEARN_DRAWS_WHEN: dict[str, tuple[tuple[tuple[str, int, object, ParamTest], ...], ...]] = {
    # splitters and loaders: random_state only orders the shuffle
    **dict.fromkeys(("KFold", "StratifiedKFold", "GroupKFold"), _SHUFFLE),
    "StratifiedGroupKFold": ((("shuffle", 1, False, "true"),),),
    "check_cv": _SHUFFLE,
    "learning_curve": _SHUFFLE,
    "train_test_split": _SHUFFLE_ON,
    **dict.fromkeys(
        ("fetch_covtype", "fetch_kddcup99", "fetch_rcv1", "fetch_olivetti_faces"), _SHUFFLE
    ),
    **dict.fromkeys(("SGDClassifier", "SGDRegressor", "Perceptron"), _SHUFFLE_ON),
    "SGDOneClassSVM": ((("shuffle", 4, True, "true"),),),
    **dict.fromkeys(("PassiveAggressiveClassifier", "PassiveAggressiveRegressor"), _SHUFFLE_ON),
    # solvers: deterministic by default
    **dict.fromkeys(
        ("LogisticRegression", "LogisticRegressionCV"),
        ((("solver", -1, "lbfgs", ("sag", "saga", "liblinear")),),),
    ),
    **dict.fromkeys(("Ridge", "RidgeClassifier"), ((("solver", -1, "auto", _SOLVERS),),)),
    "ridge_regression": ((("solver", -1, "auto", _SOLVERS),),),
    # ``probability`` is deprecated (its default the string "deprecated"): True draws
    **dict.fromkeys(("SVC", "NuSVC"), ((("probability", -1, "deprecated", (True,)),),)),
    **dict.fromkeys(
        (
            "Lasso",
            "ElasticNet",
            "LassoCV",
            "ElasticNetCV",
            "MultiTaskLasso",
            "MultiTaskElasticNet",
            "MultiTaskLassoCV",
            "MultiTaskElasticNetCV",
        ),
        ((("selection", -1, "cyclic", ("random",)),),),
    ),
    **dict.fromkeys(("Lars", "LassoLars"), ((("jitter", -1, None, "notnone"),),)),
    # "auto" picks the randomized solver only for large inputs that are neither tall nor
    # narrow (n_samples < 10 n_features, both over 500): embeddings and tabular data get the
    # exact covariance_eigh / full solvers
    "PCA": ((("svd_solver", -1, "auto", ("arpack", "randomized")),),),
    "KernelPCA": (
        (("eigen_solver", -1, "auto", ("arpack", "randomized")),),
        (("eigen_solver", -1, "auto", ("auto",)), ("n_components", 0, None, "int")),
    ),
    "DummyClassifier": ((("strategy", -1, "prior", ("stratified", "uniform")),),),
    **dict.fromkeys(
        ("NMF", "MiniBatchNMF", "non_negative_factorization"),
        ((("init", -1, None, ("random", "nndsvdar")),),),
    ),
    **dict.fromkeys(
        ("GaussianProcessRegressor", "GaussianProcessClassifier"),
        ((("n_restarts_optimizer", -1, 0, "true"),),),
    ),
    "silhouette_score": ((("sample_size", -1, None, "notnone"),),),
    "IterativeImputer": (
        (("sample_posterior", -1, False, "true"),),
        (("imputation_order", -1, "ascending", ("random",)),),
        (("n_nearest_features", -1, None, "notnone"),),
    ),
}

#: Methods of a library object that make it draw (an estimator fitted, a splitter splitting,
#: a parameter sampler iterated); calling the object (a transform) does too.
LIBRARY_USES = frozenset(
    {
        "fit",
        "fit_transform",
        "fit_predict",
        "partial_fit",
        "fit_resample",
        "split",
        "sample",
        "forward",
        "__call__",
        "__iter__",
    }
)
#: Methods of a library object that return the object itself.
LIBRARY_RETURNS_SELF = frozenset({"fit", "partial_fit", "set_params", "set_output"})
#: Outside callables that build an object holding the objects they are given (a pipeline, a
#: search, a composed transform), besides classes (named in CamelCase).
LIBRARY_WRAPPERS = frozenset(
    {
        "sklearn.pipeline.make_pipeline",
        "sklearn.pipeline.make_union",
        "sklearn.compose.make_column_transformer",
        "sklearn.base.clone",
        "copy.deepcopy",
        "copy.copy",
    }
)


@dataclass(frozen=True)
class LibraryCall:
    """A library call that draws from ``lib``'s global generator for the user.

    ``when``: "call" (it draws now), "use" (the object it builds draws when fitted or split),
    "apply" (a transform: it draws each time it is applied). ``param``: the argument that
    would seed it (``random_state``, ``seed``), at ``position`` (-1: keyword only; "" when
    nothing seeds it), ``default`` when absent; ``alternatives``: the configurations in which
    it draws (empty: always). ``also``: other arguments that seed it (``generator``)."""

    lib: str
    api: str
    when: str
    param: str = ""
    position: int = -1
    default: object = None
    alternatives: tuple[tuple[tuple[str, int, object, ParamTest], ...], ...] = ()
    also: tuple[str, ...] = ()


def library_call(qualname: str) -> Optional[LibraryCall]:
    """A scikit-learn or torchvision call that draws for the user, by the name it is imported
    as."""
    from seedlint import library_tables as t

    spec = t.SKLEARN.get(qualname)
    if spec is not None:
        when, position, default = spec
        leaf = qualname.rsplit(".", 1)[-1]
        return LibraryCall(
            NUMPY,
            qualname,
            when,
            "random_state",
            position,
            default,
            SKLEARN_DRAWS_WHEN.get(leaf, ()),
        )
    lib = t.TORCHVISION.get(qualname)
    if lib is not None:
        return LibraryCall(lib, qualname, "apply")
    lib = t.TORCHVISION_CALLS.get(qualname)
    if lib is not None:
        return LibraryCall(lib, qualname, "call")
    return None


def library_method(method: str) -> Optional[tuple[str, LibraryCall]]:
    """A method of pandas or Hugging Face ``datasets`` objects that draws when its seed is left
    out: (the library whose objects have it, how it draws)."""
    from seedlint import library_tables as t

    for name, position in t.PANDAS.items():
        if name.rsplit(".", 1)[-1] == method:
            return "pandas", LibraryCall(NUMPY, f"pandas.{name}", "call", "random_state", position)
    for name, params in t.DATASETS.items():
        if name.rsplit(".", 1)[-1] == method:
            # ``Dataset.shuffle(seed)``; ``DatasetDict.shuffle(seeds)`` takes the same place
            position = min(p for _, p in params)
            also = tuple(p for p, _ in params if p != "seed")
            alternatives: tuple[tuple[tuple[str, int, object, ParamTest], ...], ...] = ()
            if method == "train_test_split":
                alternatives = ((("shuffle", 2, True, "true"),),)
            return "datasets", LibraryCall(
                NUMPY, f"datasets.{name}", "call", "seed", position, None, alternatives, also
            )
    return None
