"""The two character models: Embedding -> SimpleRNN | LSTM -> Dense logits.

Everything but the recurrent layer is identical, so any difference a lesson shows
comes from the cell. Both recurrent layers keep Keras's defaults (tanh, sigmoid
gates, no recurrent dropout, ``unroll=False``), the settings under which Keras runs
the LSTM on cuDNN when a GPU is present. SimpleRNN has no cuDNN kernel in Keras 3.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab import checkpoint, checks
from rnnlab.errors import (
    ArgumentError, CheckpointError, CheckpointMismatchError, ModelTooLargeError,
)
from rnnlab.vocab import Vocabulary

KINDS = ("rnn", "lstm")
# How the kit calls a kind in words, and in a name with the width ("RNN-256": width_label)
KIND_LABELS = {"rnn": "vanilla RNN", "lstm": "LSTM"}
_SHORT = {"rnn": "RNN", "lstm": "LSTM"}


def width_label(kind: str, num_hiddens: int) -> str:
    """A model's name in figures and tables: its kind and width, e.g. "LSTM-256"."""
    return f"{_SHORT[check_kind(kind)]}-{int(num_hiddens)}"

# Layer names; the reference cells and the probes find the weights by these names.
# A deeper model's recurrent layers after the first are "recurrent_2", "recurrent_3", ...
EMBEDDING, RECURRENT, LOGITS = "embedding", "recurrent", "logits"


def recurrent_names(num_layers: int) -> list[str]:
    """The recurrent layers' names, bottom first."""
    return [RECURRENT] + [f"{RECURRENT}_{i}" for i in range(2, num_layers + 1)]


PRECISIONS = ("float32", "mixed_bfloat16")
# seeds go to numpy, Keras's initialisers and tf.data, which all take 32-bit ones
MAX_SEED = 2**32 - 1
# a trained weight costs itself, its gradient and Adam's two moments, float32 each
BYTES_PER_TRAINED_PARAM = 4 * 4


@dataclass(frozen=True)
class ModelConfig:
    """Hyperparameters of a character model (the recurrent layer is chosen by ``kind``)."""

    num_hiddens: int = 256  # units in each recurrent layer: the size of H (and of C for the LSTM)
    embed_dim: int = 64  # size of the learned vector each character id is mapped to
    seed: int = 0  # seeds every initialiser, so the same seed gives the same initial weights
    num_layers: int = 1  # recurrent layers stacked, each reading the H of the one below
    # share of the embedding and of the top layer's H zeroed while training (not of the
    # recurrent connections, so the LSTM keeps Keras's cuDNN conditions); 0: none
    dropout: float = 0.0
    # the Keras dtype policy of every layer but the logits: "float32", or "mixed_bfloat16"
    # (bfloat16 arithmetic on float32 weights: 1.1-1.4x faster training on CPUs with
    # bfloat16 matrix units, benchmarks/training_speed.py; the logits stay float32)
    precision: str = "float32"

    def __post_init__(self):
        for name, minimum, maximum in (("num_hiddens", 1, None), ("embed_dim", 1, None),
                                       ("seed", 0, MAX_SEED), ("num_layers", 1, None)):
            value = checks.whole(f"ModelConfig.{name}", getattr(self, name), minimum, maximum)
            object.__setattr__(self, name, value)  # frozen: normalised once, here (256.0 -> 256)
        object.__setattr__(self, "dropout", checks.fraction(
            "ModelConfig.dropout", self.dropout, allow_zero=True))
        if self.precision not in PRECISIONS:
            raise ValueError(f"ModelConfig.precision: expected one of {PRECISIONS}, got "
                             f"{self.precision!r}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def check_kind(kind) -> str:
    """``kind`` if it is one of KINDS, else a ValueError naming the choices."""
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    return kind


def require_one_layer(model, what: str) -> None:
    """Refuse a deeper model where ``what`` reads the first recurrent layer only (the
    lessons' cells and probes: no shipped model is deeper)."""
    if model.config.num_layers != 1:
        raise ValueError(f"{what} reads one-layer models; this {model.kind!r} model has "
                         f"{model.config.num_layers} recurrent layers")


# Each initialiser and dropout layer of a model takes ``seed + offset`` (a layer above
# the first adds 10 per layer), so one seed fixes every random start; the long-lag models
# of ``rnnlab.tasks`` draw theirs the same way.
SEED_OFFSETS = {"embedding": 0, "kernel": 1, "recurrent_kernel": 2, "logits": 3,
                "embedding_dropout": 4, "output_dropout": 5}


def part_seed(seed: int, part: str, depth: int = 0) -> int:
    """The seed of one part of a model (a key of SEED_OFFSETS) in recurrent layer ``depth``."""
    return int(seed) + SEED_OFFSETS[part] + 10 * depth


# Blocks of recurrent weights: the LSTM has I, F, C_tilde and O; the RNN one tanh layer.
GATES = {"rnn": 1, "lstm": 4}


def _memory_bytes() -> int | None:
    """This machine's physical memory, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def check_fits_in_memory(kind: str, vocab_size: int, config: ModelConfig) -> int:
    """The model's parameter count; a ModelTooLargeError before anything is allocated
    when its weights and their training state (gradient and Adam's two moments: four
    float32 copies) would not fit in this machine's memory (TensorFlow would fail deep
    inside an initialiser with an out-of-memory error)."""
    params = count_params(kind, vocab_size, config)
    memory = _memory_bytes()
    if memory is not None and params * BYTES_PER_TRAINED_PARAM > memory:
        raise ModelTooLargeError(
            f"ModelConfig: num_hiddens={config.num_hiddens}, embed_dim={config.embed_dim} "
            f"and num_layers={config.num_layers} make {params:.2e} weights, "
            f"{params * BYTES_PER_TRAINED_PARAM / 1e9:,.0f} GB with their training state, "
            f"more than this machine's {memory / 1e9:.0f} GB; expected a smaller model")
    return params


def count_params(kind: str, vocab_size: int, config: ModelConfig) -> int:
    """Trainable parameters, from the weights' shapes (equal to Keras's count_params()):
    V*E + gates*(E*H + H*H + H) + H*V + V."""
    return sum(math.prod(shape) for shape in weight_shapes(kind, vocab_size, config).values())


def multiply_adds_per_char(kind: str, vocab_size: int, config: ModelConfig) -> int:
    """Multiply-adds of one character's forward pass: each recurrent layer's two matrix
    products and the output layer (the embedding is a lookup). The LSTM-256 and the
    RNN-522 do about the same, 349,000; training costs about three forward passes."""
    gates, H = GATES[check_kind(kind)], config.num_hiddens
    below = [config.embed_dim] + [H] * (config.num_layers - 1)  # what each layer reads
    return sum(gates * H * (width + H) for width in below) + H * vocab_size


def weight_shapes(kind: str, vocab_size: int, config: ModelConfig) -> dict[str, tuple]:
    """Every weight of a model, ``layer/weight`` -> shape, from its description alone
    (the names and shapes ``CharModel.get_weights`` gives; a test keeps them equal)."""
    gates = GATES[check_kind(kind)]
    H, E, V = config.num_hiddens, config.embed_dim, vocab_size
    shapes = {f"{EMBEDDING}/embeddings": (V, E)}
    for layer, below in zip(recurrent_names(config.num_layers),
                            [E] + [H] * (config.num_layers - 1)):  # what each layer reads
        shapes.update({f"{layer}/kernel": (below, gates * H),
                       f"{layer}/recurrent_kernel": (H, gates * H),
                       f"{layer}/bias": (gates * H,)})
    shapes.update({f"{LOGITS}/kernel": (H, V), f"{LOGITS}/bias": (V,)})
    return shapes


def state_shapes(kind: str, config: ModelConfig, batch_size: int) -> dict[str, tuple]:
    """The recurrent state a carried run keeps between windows, ``layer/h`` (and
    ``layer/c`` for the LSTM) -> (batch_size, num_hiddens), bottom layer first: the
    order ``with_state`` takes and returns them in."""
    parts = ("h", "c") if check_kind(kind) == "lstm" else ("h",)
    return {f"{layer}/{part}": (batch_size, config.num_hiddens)
            for layer in recurrent_names(config.num_layers) for part in parts}


def param_matched_config(
    kind: str, vocab_size: int, like_kind: str, like: ModelConfig | None = None
) -> ModelConfig:
    """A config for ``kind`` whose parameter count is closest to ``like_kind`` with ``like``.

    ``param_matched_config("rnn", 84, "lstm")`` gives the SimpleRNN as big as the default
    LSTM-256 (522 units, the shipped RNN-522), the fair comparison when capacity is the
    question. Depth, embedding and dropout are ``like``'s; only the width changes.
    """
    like = like or ModelConfig()
    target = count_params(like_kind, vocab_size, like)
    check_kind(kind)

    def size(h: int) -> int:
        return count_params(kind, vocab_size, dataclasses.replace(like, num_hiddens=h))

    # the count grows with the width: bisect for the last width at or below the target
    low, high = 1, 2
    while size(high) <= target:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if size(middle) <= target else (low, middle)
    best = min((low, high), key=lambda h: abs(size(h) - target))
    return dataclasses.replace(like, num_hiddens=int(best))


class CharModel:
    """A trained or fresh character model with what is needed to use and save it.

    ``keras`` maps ids of shape (batch, T) to logits of shape (batch, T, vocab_size).
    ``meta`` records where the weights came from (corpus, steps, characters seen, ...).
    """

    def __init__(self, kind: str, vocab: Vocabulary, config: ModelConfig, keras_model, meta=None):
        self.kind = check_kind(kind)
        self.vocab = vocab
        self.config = config
        self.keras = keras_model
        self.meta = dict(meta or {})

    def __repr__(self) -> str:
        return (
            f"CharModel(kind={self.kind!r}, num_hiddens={self.config.num_hiddens}, "
            f"vocab_size={len(self.vocab)}, num_params={self.num_params:,})"
        )

    @property
    def num_params(self) -> int:
        return int(self.keras.count_params())

    @property
    def multiply_adds(self) -> int:
        """Multiply-adds of one character's forward pass (``multiply_adds_per_char``)."""
        return multiply_adds_per_char(self.kind, len(self.vocab), self.config)

    def layer(self, name: str):
        return self.keras.get_layer(name)

    @property
    def layer_names(self) -> list[str]:
        """The layers that hold weights, input first."""
        return [EMBEDDING, *recurrent_names(self.config.num_layers), LOGITS]

    def get_weights(self) -> dict[str, np.ndarray]:
        """Every weight as a numpy array, named ``layer/weight`` (e.g. ``recurrent/kernel``)."""
        return {
            f"{layer_name}/{w.name}": np.asarray(w.numpy())
            for layer_name in self.layer_names
            for w in self.layer(layer_name).weights
        }

    def set_weights(self, arrays: dict[str, np.ndarray], source: str = "arrays") -> None:
        current = self.get_weights()
        missing = sorted(set(current) - set(arrays))
        if missing:
            raise CheckpointError(f"{source}: weights missing: {', '.join(missing)}")
        for name, value in current.items():
            if arrays[name].shape != value.shape:
                raise CheckpointError(
                    f"{source}: weight {name!r} has shape {arrays[name].shape}, the model "
                    f"expects {value.shape}"
                )
        _refuse_non_finite(arrays, source)
        for layer_name in self.layer_names:
            for w in self.layer(layer_name).weights:
                w.assign(arrays[f"{layer_name}/{w.name}"])

    def describe(self) -> dict:
        """The JSON description stored in a checkpoint."""
        return {
            "kind": self.kind,
            "vocab": self.vocab.chars,
            "config": self.config.to_dict(),
            "num_params": self.num_params,
        }

    def save(self, path: str | os.PathLike, **meta) -> Path:
        """Write weights and metadata to one ``.npz`` file, atomically (no pickle). Weights
        that are no longer finite are refused before anything is written: ``load`` would
        refuse the file, and an older good file at ``path`` is kept."""
        weights = self.get_weights()
        _refuse_non_finite(weights, "model weights", "; nothing was written")
        self.meta.update(meta)
        return checkpoint.write(path, weights,
                                {"model": self.describe(), **self.meta, "role": "model"})


def _refuse_non_finite(arrays: dict, source: str, consequence: str = "") -> None:
    """A CheckpointError naming the first weight holding NaN or an infinity (a run that
    diverged leaves them): such a model predicts nothing meaningful."""
    for name, value in arrays.items():
        if not np.isfinite(np.asarray(value)).all():
            raise CheckpointError(f"{source}: weight {name!r} holds NaN or infinite values "
                                  f"(did the training diverge?){consequence}")


def build(kind: str, vocab: Vocabulary, config: ModelConfig | None = None, **overrides):
    """A fresh CharModel: ``kind`` is "rnn" or "lstm"; overrides replace config fields."""
    import keras  # imported late: `import rnnlab.models` stays fast

    check_kind(kind)
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab: expected a rnnlab Vocabulary, got {type(vocab).__name__}")
    if len(vocab) < 2:
        raise ArgumentError("vocab", "at least 2 distinct characters to predict among",
                            vocab.chars)
    config = config or ModelConfig()
    if overrides:
        known = {f.name for f in dataclasses.fields(ModelConfig)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise TypeError(
                f"build: unknown config field(s) {unknown}; ModelConfig has {sorted(known)}"
            )
        config = dataclasses.replace(config, **overrides)
    check_fits_in_memory(kind, len(vocab), config)
    seed, H, E, V = int(config.seed), config.num_hiddens, config.embed_dim, len(vocab)
    init = keras.initializers
    # float32 leaves every layer to Keras's global policy (which a float64 copy for the
    # gradient probes sets); mixed_bfloat16 is set on each layer but the logits
    dtype = None if config.precision == "float32" else config.precision
    logits_dtype = None if config.precision == "float32" else "float32"
    layer_class = keras.layers.LSTM if kind == "lstm" else keras.layers.SimpleRNN
    recurrent = [
        layer_class(
            units=H,
            return_sequences=True,
            return_state=True,  # the last state too, which a carried run passes on
            kernel_initializer=init.GlorotUniform(seed=part_seed(seed, "kernel", depth)),
            recurrent_initializer=init.Orthogonal(
                seed=part_seed(seed, "recurrent_kernel", depth)),
            name=name,
            dtype=dtype,
        )
        for depth, name in enumerate(recurrent_names(config.num_layers))
    ]
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")  # (batch, T)
    X = keras.layers.Embedding(
        V, E, name=EMBEDDING,
        embeddings_initializer=init.RandomUniform(-0.05, 0.05, seed=part_seed(seed, "embedding")),
        dtype=dtype,
    )(ids)  # (batch, T, embed_dim)
    if config.dropout:
        X = keras.layers.Dropout(config.dropout, seed=part_seed(seed, "embedding_dropout"),
                                 name="embedding_dropout",
                                 dtype=dtype)(X)
    H_all = X
    for layer in recurrent:
        H_all = layer(H_all)[0]  # (batch, T, num_hiddens); the last state is not needed here
    if config.dropout:
        H_all = keras.layers.Dropout(config.dropout, seed=part_seed(seed, "output_dropout"),
                                     name="output_dropout",
                                     dtype=dtype)(H_all)
    logits = keras.layers.Dense(
        V, kernel_initializer=init.GlorotUniform(seed=part_seed(seed, "logits")), name=LOGITS,
        dtype=logits_dtype,  # under mixed_bfloat16 the loss still reads float32 logits
    )(H_all)  # (batch, T, vocab_size)
    model = keras.Model(ids, logits, name=f"char_{kind}")
    return CharModel(kind, vocab, config, model)


def _build_with_state(model):
    """A Keras model on the same layers (and weights) as ``model.keras`` that also takes
    the recurrent state to start from and returns the state it ends in:
    ``(ids, *states) -> (logits, *states)``, the states in ``state_shapes``'s order, each
    (batch, num_hiddens). What carried training and carried scoring run: the state at the
    end of one window starts the next (truncated backpropagation through time)."""
    import keras

    layers = {name: model.layer(name) for name in model.layer_names}
    parts = 2 if model.kind == "lstm" else 1
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")  # (batch, T)
    states_in = [keras.Input(shape=(model.config.num_hiddens,), name=name.replace("/", "_"))
                 for name in state_shapes(model.kind, model.config, 1)]
    X = layers[EMBEDDING](ids)  # (batch, T, embed_dim)
    dropouts = {layer.name: layer for layer in model.keras.layers
                if isinstance(layer, keras.layers.Dropout)}
    if "embedding_dropout" in dropouts:
        X = dropouts["embedding_dropout"](X)
    states_out = []
    for depth, name in enumerate(recurrent_names(model.config.num_layers)):
        start = states_in[depth * parts:(depth + 1) * parts]
        X, *end = layers[name](X, initial_state=start)  # X: (batch, T, num_hiddens)
        states_out += end  # each (batch, num_hiddens)
    if "output_dropout" in dropouts:
        X = dropouts["output_dropout"](X)
    logits = layers[LOGITS](X)  # (batch, T, vocab_size)
    # under mixed_bfloat16 the states come out in bfloat16: hand them on as the weights' type
    states_out = [keras.ops.cast(state, layers[LOGITS].compute_dtype) for state in states_out]
    return keras.Model([ids, *states_in], [logits, *states_out],
                       name=f"{model.keras.name}_carried")


def load(path: str | os.PathLike, *, kind: str | None = None, vocab: Vocabulary | None = None):
    """A CharModel from a checkpoint written by ``CharModel.save`` (or by training).

    When ``kind`` or ``vocab`` is given and the checkpoint holds another, this raises
    CheckpointMismatchError instead of returning a model that would silently misread ids.
    """
    meta = checkpoint.read_meta(path)
    described = meta.get("model")
    if not isinstance(described, dict) or {"kind", "vocab", "config"} - described.keys():
        raise CheckpointError(f"checkpoint {str(path)!r} does not describe a model")
    try:
        check_kind(described["kind"])
        stored_vocab = Vocabulary(described["vocab"])
        stored_config = ModelConfig.from_dict(described["config"])
    except (ValueError, TypeError, AttributeError) as exc:
        raise CheckpointError(f"checkpoint {str(path)!r} has invalid model metadata: {exc}")
    if kind is not None and described["kind"] != check_kind(kind):
        raise CheckpointMismatchError(
            f"checkpoint {str(path)!r} holds an {described['kind']!r} model, expected {kind!r}"
        )
    if vocab is not None and vocab != stored_vocab:
        extra, missing = set(stored_vocab.chars) - set(vocab.chars), set(vocab.chars) - set(
            stored_vocab.chars
        )
        raise CheckpointMismatchError(
            f"checkpoint {str(path)!r} was trained on another vocabulary ({len(stored_vocab)} "
            f"characters, expected {len(vocab)}; only in the checkpoint: "
            f"{''.join(sorted(extra))!r}, only in the one given: {''.join(sorted(missing))!r})"
        )
    # Only the weights this model has, each checked against the shape its own description
    # implies, before the Keras model is built: a small file cannot claim a huge model.
    expected = weight_shapes(described["kind"], len(stored_vocab), stored_config)
    arrays, _ = checkpoint.read(path, expected=expected)
    model = build(described["kind"], stored_vocab, stored_config)
    model.set_weights(arrays, source=f"checkpoint {str(path)!r}")
    model.meta = {k: v for k, v in meta.items()
                  if k not in ("model", "format", "format_version", "role")}
    return model


def per_model(build):
    """Decorate ``build(model)`` (a traced function, a float64 copy) so that it runs once
    per model and is reused after. Weakly keyed: the result lives as long as the model,
    so ``build`` must not keep the model itself alive in what it returns (capture
    ``model.keras`` or layers instead). ``.cache`` is the {model: result} map."""
    cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @functools.wraps(build)
    def once_per_model(model):
        found = cache.get(model)
        if found is None:
            found = cache[model] = build(model)
        return found

    once_per_model.cache = cache
    return once_per_model


with_state = per_model(_build_with_state)  # built once per model
