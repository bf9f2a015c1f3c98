"""Inside a trained model's states: gates, saturation, forget time constants, and units
that follow a feature of the text.

Everything here reads the numpy reference cells (``rnnlab.cells``), which are tested
equal to the Keras layers.
"""

from __future__ import annotations

import re

import numpy as np

from rnnlab import cells, checks


# Where a unit counts as saturated: a sigmoid gate below 0.1 or above 0.9, a tanh value
# below -0.9 or above 0.9 (Karpathy, Johnson & Fei-Fei 2015). The one place they are set.
SATURATION_THRESHOLDS = {"gate": (0.1, 0.9), "tanh": (-0.9, 0.9)}


def saturated(values: np.ndarray, kind: str = "tanh") -> np.ndarray:
    """Where ``values`` (outputs of a tanh, or of a sigmoid gate with ``kind="gate"``) lie
    beyond SATURATION_THRESHOLDS[kind]: a bool array of their shape."""
    low, high = SATURATION_THRESHOLDS[kind]
    return (values < low) | (values > high)


def saturation(trace: cells.Trace) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For every value that left a tanh (``tanh_outputs``), per unit: (fraction of steps
    below -0.9, fraction above 0.9), where tanh' = 1 - tanh^2 < 0.19. The RNN's ``H``, the
    LSTM's ``C_tilde`` and ``tanh(C)``: like with like, as lesson 5 compares them. Each
    array has shape (num_hiddens,).
    """
    low, high = SATURATION_THRESHOLDS["tanh"]
    return {name: ((V < low).mean(axis=0), (V > high).mean(axis=0))
            for name, V in tanh_outputs(trace).items()}


def gate_saturation(trace: cells.Trace) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each LSTM gate I, F, O, per unit: (fraction of steps below 0.1, above 0.9), as
    Karpathy, Johnson & Fei-Fei (2015), "Visualizing and Understanding Recurrent
    Networks", count them. A sigmoid near 0 or 1 is a switch, not a lost gradient: this
    is not the same question as ``saturation``."""
    if trace.kind != "lstm":
        raise ValueError(f"trace: expected an LSTM's trace (it has gates), got a "
                         f"{trace.kind!r} one")
    low, high = SATURATION_THRESHOLDS["gate"]
    return {name: ((V < low).mean(axis=0), (V > high).mean(axis=0))
            for name, V in (("I", trace.I), ("F", trace.F), ("O", trace.O))}


def tanh_outputs(trace: cells.Trace) -> dict[str, np.ndarray]:
    """Every value that left a tanh, (T, units) each: the RNN's ``H``; the LSTM's
    candidate ``C_tilde`` and ``tanh(C)`` (its ``H`` is O * tanh(C), a gated copy)."""
    if trace.kind == "lstm":
        return {"C_tilde": trace.C_tilde, "tanh(C)": np.tanh(trace.C)}
    return {"H": trace.H}


def forget_timescales(traces, window: int = 100) -> dict[str, np.ndarray]:
    """Per unit of an LSTM, how long its cell state keeps what it holds, over passages.

    ``traces``: ``cells.unroll`` traces of one LSTM on one or more passages. Returns per
    unit (num_hiddens,): ``mean`` forget gate over every character; ``time_constant``
    -1 / mean(ln F), the steps after which the gates keep 1/e: k gates keep their product,
    exp(sum of ln F), so they decay at their geometric mean, which is below the plain mean
    (a gate of 0.5 beside one of 1.0 keeps 0.5 per two steps, not 0.75 squared); and
    ``product``, the median over every run of ``window`` consecutive characters (in steps
    of ``window``) of the product of F along it: what the direct path C_{t-window} -> C_t
    keeps.
    """
    traces = [traces] if isinstance(traces, cells.Trace) else list(traces)
    if not traces or any(t.kind != "lstm" for t in traces):
        raise ValueError("traces: expected gates() traces of an LSTM")
    F = np.concatenate([t.F for t in traces])  # (characters, units)
    mean = F.mean(axis=0)
    with np.errstate(divide="ignore"):  # a gate of exactly 0 keeps nothing: log 0 = -inf
        products = [np.exp(np.log(t.F[start:start + window]).sum(axis=0))
                    for t in traces for start in range(0, len(t.F) - window + 1, window)]
        time_constant = -1.0 / np.log(F).mean(axis=0)  # a gate of exactly 0: 0, keeps nothing
    if not products:
        raise ValueError(f"window: {window} is longer than every passage")
    return {"mean": mean, "time_constant": time_constant,
            "product": np.median(np.array(products), axis=0)}


# --- interpretable units ------------------------------------------------------------------

_SPEAKER = re.compile(r"^[A-Z][A-Z' ]+\.$")  # a speaker's name in capitals on its own line


def text_features(text: str) -> dict[str, np.ndarray]:
    """Simple per-character features of a text, each of shape (len(text),), float.

    ``in_brackets``: inside [ ... ] (stage directions in this corpus); ``in_quotes``:
    inside double quotes; ``line_position``: characters since the last newline;
    ``word_start``: a letter right after a non-letter; ``speaker``: inside a line that
    is a speaker's name in capitals, e.g. "HAMLET.".
    """
    n = len(text)
    features = {k: np.zeros(n) for k in
                ("in_brackets", "in_quotes", "line_position", "word_start", "speaker")}
    depth, quoted, column = 0, False, 0
    previous = "\n"
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        features["in_brackets"][i] = float(depth > 0)
        if ch == "]":
            depth = max(0, depth - 1)
        if ch == '"':
            quoted = not quoted
        features["in_quotes"][i] = float(quoted or ch == '"')
        features["line_position"][i] = column
        column = 0 if ch == "\n" else column + 1
        features["word_start"][i] = float(ch.isalpha() and not previous.isalpha())
        previous = ch
    start = 0
    for line in text.split("\n"):
        if _SPEAKER.match(line):
            features["speaker"][start : start + len(line)] = 1.0
        start += len(line) + 1
    return features


def find_cells(model, text: str, top: int = 5, state: str = "H",
               trace: cells.Trace | None = None) -> dict[str, list]:
    """Units whose activation follows a text feature: {feature: [(unit, correlation), ...]}.

    Pearson correlation over the characters of ``text`` between each unit of ``state``
    ("H"; for the LSTM also "C" or a gate, "I", "F", "O") and each feature of
    ``text_features``, the ``top`` units by absolute correlation first. A feature that
    is constant over the text is skipped.
    ``trace``: the model's ``cells.unroll(model, text)``, when the caller already has it.
    """
    top = checks.whole("top", top)
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError("text: expected at least 2 characters to correlate over, got "
                         f"{text!r}"[:120])
    trace = trace if trace is not None else cells.unroll(model, text)
    values = getattr(trace, state, None)
    if values is None:
        raise ValueError(f"state: a {model.kind!r} model has no {state!r}; use 'H'")
    Z = (values - values.mean(axis=0)) / (values.std(axis=0) + 1e-12)  # (T, units)
    found = {}
    for name, f in text_features(text).items():
        if f.std() == 0:
            continue
        z = (f - f.mean()) / f.std()  # (T,)
        corr = z @ Z / len(z)  # (units,)
        order = np.argsort(-np.abs(corr))[:top]
        found[name] = [(int(u), float(corr[u])) for u in order]
    return found


def feature_correlation(trace: cells.Trace, state: str, unit: int, feature: str) -> float:
    """Pearson r between one unit of ``state`` and one ``text_features`` feature over the
    trace's text: how ``find_cells``'s pick holds up on another passage. NaN when the
    feature does not vary in that text."""
    values = getattr(trace, state, None)
    if values is None:
        raise ValueError(f"state: a {trace.kind!r} trace has no {state!r}")
    features = text_features(trace.text)
    if feature not in features:
        raise ValueError(f"feature: expected one of {sorted(features)}, got {feature!r}")
    f, v = features[feature], values[:, unit]
    if f.std() == 0 or v.std() == 0:
        return float("nan")
    return float(np.corrcoef(f, v)[0, 1])
