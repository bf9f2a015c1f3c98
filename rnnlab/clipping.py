"""Cliffs in the loss and global-norm clipping: lesson 3's short SGD runs.

Pascanu, Mikolov & Bengio (2013, sections 2.3 and 3.2) describe the loss surface of an RNN
as mostly gentle with rare *cliffs*, walls where the gradient is suddenly many times
larger. Plain gradient descent takes a step proportional to the gradient, so a step that
lands on a wall is thrown far and undoes much of the training so far. Clipping the
gradient's global norm bounds every step at ``learning_rate * global_clipnorm`` and keeps
its direction, so the run survives the wall and can use a rate that would otherwise be
too risky.
"""

from __future__ import annotations

import math

import numpy as np

from rnnlab.models import EMBEDDING, LOGITS, RECURRENT
from rnnlab.progress import StatusLine
from rnnlab.units import SATURATION_THRESHOLDS

# how many of the last steps the "end of the run" averages over: one batch's loss is noisy
END_STEPS = 20


def clipping_run(
    corpus,
    *,
    learning_rate: float = 1.0,
    global_clipnorm: float | None = None,
    steps: int = 300,
    num_hiddens: int = 64,
    batch_size: int = 32,
    num_steps: int = 50,
    seed: int = 0,
    clip_from: int = 0,
) -> dict:
    """A short plain-SGD run of a vanilla RNN (Keras's initialisers), clipped or not.

    With ``global_clipnorm`` the whole gradient is rescaled to that norm whenever it is
    longer (Pascanu et al. 2013, algorithm 1); the step is then at most
    ``learning_rate * global_clipnorm`` long. The seed fixes the initial weights and the
    order of the batches, so two runs with the same seed start from the same weights and
    see the same batches. ``clip_from`` switches the clip on only from that step: a run
    with the same seed and ``clip_from=s`` takes exactly the unclipped run's first ``s``
    steps, then branches off it (the step that threw the unclipped run, taken clipped).
    Returns per-step arrays ``grad_norm`` (before clipping),
    ``loss`` and ``saturated`` (the fraction of hidden values with |H| > 0.9, where
    tanh' < 0.19 and the gradient through that unit mostly dies), NaN from the step where
    the loss stopped being finite (``diverged_at``, else None): a diverged run is never
    drawn as 0.
    """
    import keras
    import tensorflow as tf

    from rnnlab import models
    from rnnlab.corpus import dataset

    if not learning_rate > 0:
        raise ValueError(f"learning_rate: expected a number above 0, got {learning_rate!r}")
    if global_clipnorm is not None and not global_clipnorm > 0:
        raise ValueError("global_clipnorm: expected None (no clipping) or a number above 0, "
                         f"got {global_clipnorm!r}")
    if not (isinstance(clip_from, int) and 0 <= clip_from < steps):
        raise ValueError(f"clip_from: expected a step from 0 to {steps - 1}, got {clip_from!r}")
    model = models.build("rnn", corpus.vocab, num_hiddens=num_hiddens, seed=seed)
    train_ids, _ = corpus.split()
    batches = iter(dataset(train_ids, num_steps, batch_size, seed=seed).repeat())
    variables = model.keras.trainable_variables
    # one forward pass gives both the logits for the loss and H for the saturation count
    embedding, recurrent, dense = (model.layer(name) for name in (EMBEDDING, RECURRENT, LOGITS))
    _, high = SATURATION_THRESHOLDS["tanh"]
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    clip = math.inf if global_clipnorm is None else float(global_clipnorm)
    no_clip = tf.constant(math.inf)  # before clip_from: min(1, inf / norm) leaves g alone

    @tf.function  # one graph for the forward pass, the backward pass and the update
    def sgd_step(inputs, targets, clip):
        with tf.GradientTape() as tape:
            H = recurrent(embedding(inputs), training=True)[0]  # (batch, num_steps, hiddens)
            loss = loss_fn(targets, dense(H))  # logits (batch, num_steps, vocab_size)
        grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, variables)]  # dense
        norm = tf.linalg.global_norm(grads)  # before clipping: what the chart shows
        if tf.math.is_finite(loss) and tf.math.is_finite(norm):
            # Pascanu et al.'s algorithm 1: rescale to length `clip` when longer
            scale = tf.minimum(1.0, clip / norm)
            for variable, g in zip(variables, grads):
                variable.assign_sub(learning_rate * scale * g)
        saturated = tf.reduce_mean(tf.cast(tf.abs(H) > high, "float32"))
        return loss, norm, saturated

    grad_norm, losses, saturated = (np.full(steps, np.nan) for _ in range(3))
    diverged_at = None
    run = "no clipping" if global_clipnorm is None else f"clipped at {global_clipnorm:g}"
    with StatusLine(f"SGD at rate {learning_rate:g}, {run}, seed {seed}", total=steps) as status:
        for step in range(steps):
            clip_now = tf.constant(clip) if step >= clip_from else no_clip
            loss, norm, saturated_now = (float(x) for x in sgd_step(*next(batches), clip_now))
            if not (math.isfinite(loss) and math.isfinite(norm)):
                diverged_at = step  # the weights were left as they were: nothing to update
                break
            losses[step], grad_norm[step], saturated[step] = loss, norm, saturated_now
            status.step(step + 1, f"gradient norm {norm:.3g}")
    return {"grad_norm": grad_norm, "loss": losses, "saturated": saturated,
            "diverged_at": diverged_at, "seed": seed,
            "global_clipnorm": global_clipnorm, "learning_rate": learning_rate,
            "clip_from": clip_from, "num_hiddens": num_hiddens, "batch_size": batch_size,
            "num_steps": num_steps}


def largest_rise(run: dict) -> tuple[float, int]:
    """The largest increase of the loss from one step to the next, and the step it lands on.

    A training loss goes down on average; a rise of a whole nat in one step is a cliff:
    the step before it was thrown far from where training had brought the weights. A run
    that diverged rises without bound (``inf``).
    """
    loss = run["loss"]
    if run["diverged_at"] is not None:
        return math.inf, int(run["diverged_at"])
    rises = np.diff(loss)  # (steps - 1,)
    if rises.size == 0:
        raise ValueError(f"run: expected at least 2 steps to compare, got {loss.size}")
    step = int(np.argmax(rises))
    return float(rises[step]), step + 1


def end_of_run(run: dict, key: str = "loss") -> float:
    """The mean of ``run[key]`` over the last END_STEPS steps (inf if the run diverged)."""
    if run["diverged_at"] is not None:
        return math.inf
    return float(np.mean(run[key][-END_STEPS:]))


def seed_runs(corpus, seeds, **settings) -> list[dict]:
    """``clipping_run`` once per seed with the same settings: one run shows one path,
    several show how often a cliff is hit."""
    return [clipping_run(corpus, seed=seed, **settings) for seed in seeds]


def clipped_steps(run: dict) -> np.ndarray:
    """The steps where the clip acted: from ``clip_from`` on, the gradient was longer than
    ``global_clipnorm`` (none for a run without clipping)."""
    if run["global_clipnorm"] is None:
        return np.array([], dtype=int)
    acted = np.flatnonzero(run["grad_norm"] > run["global_clipnorm"])
    return acted[acted >= run["clip_from"]]


def first_rise(run: dict, above: float) -> int | None:
    """The first step whose loss is more than ``above`` nats over the step before (a
    throw), or None if no step is. A run that diverged without such a rise first is
    thrown where its loss stopped being finite."""
    rises = np.flatnonzero(np.diff(run["loss"]) > above)
    if rises.size:
        return int(rises[0]) + 1
    diverged = run.get("diverged_at")
    return int(diverged) if diverged is not None else None


def branch_at_wall(corpus, run: dict, *, above: float = 2.0, global_clipnorm: float = 1.0,
                   steps_after: int = 60) -> dict | None:
    """``run`` again from its seed, with the clip switched on at the update that threw it.

    The throw is ``first_rise(run, above)``: the loss of that step is more than ``above``
    nats over the step before, so the update taken at the step before (the *wall*) threw
    the weights. The branch repeats the run exactly up to the wall (same initial weights,
    same batches, no clip), takes the wall's update clipped at ``global_clipnorm``, and
    keeps the clip on for ``steps_after`` steps more (not past the run's own length). Same
    weights, same batch, only the clip differs: what differs after the wall is the clip's
    doing. None if the run has no such rise (or diverged at its first step: no update
    came before it to take again).
    """
    landing = first_rise(run, above)
    if landing is None or landing < 1:
        return None
    if run["global_clipnorm"] is not None and run["clip_from"] < landing:
        raise ValueError("run: expected a run without clipping before its throw, got one "
                         f"clipped at {run['global_clipnorm']:g} from step {run['clip_from']}")
    return clipping_run(corpus, learning_rate=run["learning_rate"],
                        global_clipnorm=global_clipnorm,
                        steps=min(len(run["loss"]), landing + steps_after), seed=run["seed"],
                        clip_from=landing - 1, num_hiddens=run["num_hiddens"],
                        batch_size=run["batch_size"], num_steps=run["num_steps"])


def branch_effect(run: dict, branch: dict) -> dict:
    """What switching the clip on at the wall changed: ``branch_at_wall(corpus, run)``
    against ``run`` itself, over the steps the branch took.

    About the run at its wall: ``wall``, the step whose update threw it; ``identical``,
    whether run and branch had the same losses up to it (they must: same seed, no clip
    yet); ``before``, the mean loss over the END_STEPS steps up to the wall (fewer near
    the start); ``grad_norm``, the gradient's length at the wall, and ``longest_before``,
    the longest the run had taken before it (a wall is picked by the loss, not by the
    gradient); ``saturated``, the share of hidden values beyond +-0.9 at the wall. Then
    two (unclipped, clipped) pairs: ``next_loss``, the loss on the batch after the wall,
    which both score (the same batch); ``largest_rise_after``, the largest one-step rise
    after that. A run that diverged there rises by ``inf``.
    """
    wall, n = branch["clip_from"], len(branch["loss"])

    def measured(loss):
        loss = np.asarray(loss[:n], dtype=float)  # (n,)
        if not np.all(np.isfinite(loss[wall:])):
            return float(loss[wall + 1]), math.inf
        return float(loss[wall + 1]), float(np.diff(loss[wall + 1:]).max(initial=-math.inf))

    unclipped, clipped = measured(run["loss"]), measured(branch["loss"])
    return {"seed": run["seed"], "wall": wall,
            "identical": bool(np.array_equal(run["loss"][:wall + 1], branch["loss"][:wall + 1])),
            "before": float(np.mean(run["loss"][max(0, wall + 1 - END_STEPS):wall + 1])),
            "grad_norm": float(run["grad_norm"][wall]),
            "longest_before": float(np.max(run["grad_norm"][:wall], initial=0.0)),
            "saturated": float(run["saturated"][wall]),
            "next_loss": (unclipped[0], clipped[0]),
            "largest_rise_after": (unclipped[1], clipped[1])}
