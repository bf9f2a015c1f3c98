"""Generating text from a character model, one character at a time.

Sampling steps the numpy reference cell (``rnnlab.cells``) on the model's weights and
carries the state forward: one small matrix product per character, instead of a
Keras call on a sliding window per character.

Temperature ``T`` divides the logits before the softmax: ``T < 1`` sharpens the
distribution (safer, more repetitive text), ``T > 1`` flattens it (more surprising,
more errors), and ``T = 0`` is greedy: always the most likely character.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab import cells, checks

# An empty seed starts the model as if at the beginning of a line.
DEFAULT_SEED = "\n"


@dataclass
class Sample:
    """Generated text and the distribution each new character was drawn from."""

    seed: str  # the seed text as given ("" when the default was used)
    text: str  # seed + generated
    generated: str  # the new characters only, len == length
    probs: np.ndarray  # (length, vocab_size): the distribution at each step (one-hot if greedy)
    chosen_probs: np.ndarray  # (length,): the probability of the character that was drawn
    temperature: float


def as_rng(rng) -> np.random.Generator:
    """None -> a fresh Generator; an int -> a seeded one; a Generator -> itself."""
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng: expected a seed >= 0, got {rng!r}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng: expected None, an int seed or a numpy Generator, got {rng!r}")


def _checked_logits(logits) -> np.ndarray:
    """``logits`` as float64, refused when no distribution can come from them: no logit on
    the last axis, a NaN (a model whose weights stopped being finite gives NaN everywhere),
    or every logit of a distribution at -inf (no character left with any probability)."""
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(f"logits: expected at least one logit per distribution, got shape "
                         f"{logits.shape}")
    if np.isnan(logits).any():
        raise ValueError("logits: expected numbers, got NaN (are the model's weights still "
                         "finite? a run that diverged leaves NaN weights)")
    if np.isneginf(logits).all(axis=-1).any():
        raise ValueError("logits: expected at least one logit above -inf in each "
                         "distribution, got all -inf")
    return logits


def _greedy(logits) -> np.ndarray:
    """One-hot on the largest logit: the limit of the softmax as the temperature falls to 0."""
    logits = _checked_logits(logits)
    probs = np.zeros_like(logits)
    np.put_along_axis(probs, logits.argmax(axis=-1)[..., None], 1.0, axis=-1)
    return probs


def _softmax(logits, temperature: float) -> np.ndarray:
    """softmax(logits / temperature) in float64 for a checked temperature > 0."""
    logits = _checked_logits(logits)
    with np.errstate(over="ignore"):
        z = logits / temperature
    if not np.isfinite(z.max(axis=-1)).all():
        # an infinite logit, or a temperature so small (5e-324, say) that logits / T
        # overflow: the limit is greedy. A -inf below a finite largest logit is fine: exp
        # gives it probability 0.
        return _greedy(logits)
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # stable: the largest exponent is 0
    return e / e.sum(axis=-1, keepdims=True)


def softmax_with_temperature(logits, temperature: float) -> np.ndarray:
    """Probabilities from logits at ``temperature`` (0 is greedy: one-hot), float64."""
    temperature = checks.non_negative("temperature", temperature)
    if temperature == 0:
        return _greedy(logits)
    return _softmax(logits, temperature)


# Longer than any lesson asks for, and short enough that the (length, vocab_size)
# probabilities a Sample keeps stay small (100,000 x 84 float64: 67 MB).
MAX_LENGTH = 100_000


def _prime(model, seed_text: str, ref):
    """Run the seed (or the default) through the model: its last output and state."""
    if not isinstance(seed_text, str):
        raise TypeError(f"seed_text: expected a str, got {type(seed_text).__name__}")
    primer = seed_text or DEFAULT_SEED
    if primer == DEFAULT_SEED and DEFAULT_SEED not in model.vocab.chars:
        primer = model.vocab.chars[0]  # a corpus without newlines: start from its first char
    trace = cells.unroll(model, primer, reference=ref)  # raises naming unknown characters
    return trace.logits[-1], trace.state


def sample(model, seed_text: str = "", length: int = 200, temperature: float = 1.0, rng=None):
    """Generate ``length`` characters after ``seed_text``; see the module docstring."""
    temperature = checks.non_negative("temperature", temperature)
    length = checks.whole("length", length, minimum=0, maximum=MAX_LENGTH)
    rng = as_rng(rng)
    ref = cells.Reference(model)
    logits, state = _prime(model, seed_text, ref)
    cell = ref.cell
    XW_table = cell.project_input(ref.embedding)  # (vocab_size, gates * num_hiddens)
    V = len(model.vocab)
    probs = np.zeros((length, V))
    chosen = np.zeros(length, dtype=np.int64)
    for t in range(length):
        if temperature == 0:
            next_id = int(_checked_logits(logits).argmax())  # argmax would take a NaN
            probs[t, next_id] = 1.0
        else:
            probs[t] = _softmax(logits, temperature)  # (vocab_size,)
            cumulative = np.cumsum(probs[t])
            next_id = min(int(np.searchsorted(cumulative, rng.random() * cumulative[-1])), V - 1)
        chosen[t] = next_id
        H, state = cell.recur(XW_table[next_id : next_id + 1], state)  # (1, num_hiddens)
        logits = ref.logits(H[0])
    generated = model.vocab.decode(chosen)
    return Sample(
        seed=seed_text,
        text=seed_text + generated,
        generated=generated,
        probs=probs,
        chosen_probs=probs[np.arange(length), chosen],
        temperature=temperature,
    )


def generate(model, seed_text: str = "", length: int = 200, temperature: float = 1.0, rng=None):
    """``seed_text`` followed by ``length`` generated characters."""
    return sample(model, seed_text, length, temperature, rng).text


def next_char_probs(model, text: str, temperature: float = 1.0) -> np.ndarray:
    """The model's distribution over the character after ``text``: shape (vocab_size,)."""
    temperature = checks.non_negative("temperature", temperature)
    logits, _ = _prime(model, text, cells.Reference(model))
    return softmax_with_temperature(logits, temperature)
