"""The losses training may lower, as one table (``LOSSES``): the loss, backward, the training page and the
explanations read each one's entry, and nothing else names them.

A loss compares the last layer's outputs Y with the targets T, one column per input, and is the mean over
the batch of each input's own loss. Its entry says what it compares with T (Y itself, or softmax's
probabilities P of each column of Y), each input's term, the error it sends back (δ before the last
layer's slope) and what targets it takes.

Mean squared error stays exact in the typed decimals. Softmax and its logarithm do not: as for tanh and
sigmoid (``activations``), the exact value taken is the shortest decimal of one float function's value,
the same function for the batch and for the per-input loop, from which the arithmetic goes on exactly.

Softmax with cross-entropy applies softmax itself, to the last layer's sums as they are: that layer's
activation must be linear (``check_loss`` says so otherwise), as PyTorch's ``nn.CrossEntropyLoss`` takes a
linear layer's outputs. Its error is then the famous δ = P − T.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

from .exact import Exact, typed
from .numbers import format_number


@dataclasses.dataclass(frozen=True)
class Loss:
    """One loss: what it compares with the targets, each input's term, the error it sends back, its targets.

    Attributes
    ----------
    name            as the API, links and the page spell it: "mse"
    label           as the page writes it: "mean squared error"
    compared        the symbol of what is compared with T: "Y", or "P" for softmax's probabilities
    compared_title  the title of the heat map of what is compared, if it is not Y itself; "" for Y
    written         the loss in symbols, ``{B}`` standing for the batch size: "Σ (Y − T)² / (2·{B})"
    error_written   the error δ starts from, ``{p}`` and ``{t}`` standing for an output and its target: "{p} − {t}"
    error_meaning   what that error says, in words
    last_activation the activation the last layer must have (softmax cross-entropy: "linear"); None: any
    classes         its targets are one class per input (one-hot columns), chosen as such on the page
    outputs         what is compared with T, from Y in floats (one column per input)
    exact_outputs   the same on exact decimals; each column as ``outputs_of`` gives it
    outputs_of      the same for one input's outputs, in plain fractions: the per-input loop's own
    terms           the exact terms whose sum, over ``divisor(B)``, is the loss, for exact Y and T, in the order
                    the page writes them
    divisor         what the terms' sum is divided by, for a batch of B
    value           the loss in floats, from Y and T: for the runs and comparisons on data never typed
    value_of        one input's own loss from its Y column and T column, in plain fractions
    error           the error δ starts from, in floats, from the outputs compared (``outputs``) and T
    exact_error     the same on exact decimals
    error_of        the same for one output and its target, in plain fractions
    targets_problem what is wrong with T for this loss (a float array of the right shape), or "" if nothing
    default_targets the targets a page opens with for outputs × batch
    fit_targets     T made to fit other outputs × batch, keeping what still fits
    """

    name: str
    label: str
    compared: str
    compared_title: str
    written: str
    error_written: str
    error_meaning: str
    last_activation: str | None
    classes: bool
    outputs: Callable[[np.ndarray], np.ndarray]
    exact_outputs: Callable[[Exact], Exact]
    outputs_of: Callable[[list[Fraction]], list[Fraction]]
    terms: Callable[[Exact, Exact], list[Fraction]]
    divisor: Callable[[int], int]
    value: Callable[[np.ndarray, np.ndarray], float]
    value_of: Callable[[list[Fraction], list[Fraction]], Fraction]
    error: Callable[[np.ndarray, np.ndarray], np.ndarray]
    exact_error: Callable[[Exact, Exact], Exact]
    error_of: Callable[[Fraction, Fraction], Fraction]
    targets_problem: Callable[[np.ndarray], str]
    default_targets: Callable[[int, int], np.ndarray]
    fit_targets: Callable[[np.ndarray, int, int], np.ndarray]

    def written_for(self, batch: int) -> str:
        """The loss in symbols for a batch of ``batch``."""
        return self.written.format(B=batch)

    def error_for(self, p: str, t: str) -> str:
        """The error written with these two operands (symbols or numbers)."""
        return self.error_written.format(p=p, t=t)


# -- mean squared error --------------------------------------------------------------------------------

#: The worked example's targets: y1 should be 1, 0, 1 and y2 should be 2 for x1, x2, x3.
WORKED_TARGETS = ((1.0, 0.0, 1.0), (2.0, 2.0, 2.0))


def _fit_kept(T: np.ndarray, outputs: int, batch: int) -> np.ndarray:
    """Every entry of T that still fits kept, new ones 0."""
    fitted = np.zeros((outputs, batch))
    rows, cols = min(outputs, T.shape[0]), min(batch, T.shape[1])
    fitted[:rows, :cols] = T[:rows, :cols]
    return fitted


def _squares(Y: Exact, T: Exact) -> list[Fraction]:
    """Each (y − t)², squared in whole digits: one fraction made per entry, none multiplied."""
    error = Y - T
    power = 10 ** (2 * error.scale)
    return [Fraction(int(d) ** 2, power) for d in error.digits.ravel().tolist()]


MSE = Loss(
    "mse", "mean squared error", "Y", "", "Σ (Y − T)² / (2·{B})", "{p} − {t}",
    "is how far the output is from its target",
    last_activation=None, classes=False,
    outputs=lambda Y: np.asarray(Y, dtype=float),
    exact_outputs=lambda Y: Y,
    outputs_of=list,
    terms=_squares,
    divisor=lambda batch: 2 * batch,
    value=lambda Y, T: float(0.5 * np.sum((Y - T) ** 2) / Y.shape[1]),
    value_of=lambda y, t: sum(((a - b) ** 2 for a, b in zip(y, t)), Fraction(0)) / 2,
    error=lambda P, T: P - T,
    exact_error=lambda P, T: P - T,
    error_of=lambda p, t: p - t,
    targets_problem=lambda T: "",
    default_targets=lambda outputs, batch: _fit_kept(np.array(WORKED_TARGETS), outputs, batch),
    fit_targets=_fit_kept,
)


# -- softmax with cross-entropy ------------------------------------------------------------------------

def softmax_of(column: Sequence[float]) -> list[float]:
    """Softmax of one input's outputs: e^y / Σ e^y, with the largest taken off first so nothing overflows."""
    top = max(column)
    powers = [math.exp(v - top) for v in column]
    total = math.fsum(powers)
    return [p / total for p in powers]


def cross_entropy_of(column: Sequence[float], target: Sequence[float]) -> float:
    """−Σ t·log softmax(y) for one input, from its outputs y (as log-sum-exp less y, so a probability too
    small for a float still has a finite logarithm); t sums to 1."""
    top = max(column)
    spread = math.log(math.fsum(math.exp(v - top) for v in column))
    return math.fsum(-t * (v - top - spread) for v, t in zip(column, target) if t) + 0.0


def _softmax(Y: np.ndarray) -> np.ndarray:
    powers = np.exp(Y - Y.max(axis=0))
    return powers / powers.sum(axis=0)


def _softmax_exact(Y: Exact) -> Exact:
    """Each column's softmax as ``softmax_of`` gives it, taken as its shortest decimals."""
    floats = Y.floats()
    return Exact.of(np.array([softmax_of(column) for column in floats.T.tolist()], dtype=float).T.reshape(Y.shape))


def _cross_entropies(Y: Exact, T: Exact) -> list[Fraction]:
    return [typed(cross_entropy_of(y, t)) for y, t in zip(Y.floats().T.tolist(), T.floats().T.tolist())]


def _cross_entropy(Y: np.ndarray, T: np.ndarray) -> float:
    top = Y.max(axis=0)
    log_p = Y - top - np.log(np.exp(Y - top).sum(axis=0))
    return float(-np.sum(T * log_p) / Y.shape[1])


def classes_of(T: np.ndarray) -> list[int]:
    """The class of each one-hot column (its row of 1)."""
    return [int(np.argmax(column)) for column in np.asarray(T).T]


def one_hot(classes: Sequence[int], outputs: int) -> np.ndarray:
    """Targets of one 1 per column, in the row of that input's class."""
    T = np.zeros((outputs, len(classes)))
    T[list(classes), range(len(classes))] = 1.0
    return T


def _not_one_hot(T: np.ndarray) -> str:
    for j, column in enumerate(T.T):
        if not (np.isin(column, (0.0, 1.0)).all() and column.sum() == 1):
            return (f"with softmax cross-entropy each column of T must be one-hot: 1 in the row of the input's "
                    f"class and 0 in the others; column x{j + 1} is {', '.join(format_number(v) for v in column)}")
    return ""


def _fit_classes(T: np.ndarray, outputs: int, batch: int) -> np.ndarray:
    """Each input keeps its class where that output is still there; the others' class is their default."""
    kept = classes_of(T) if not _not_one_hot(T) else []
    return one_hot([kept[j] if j < len(kept) and kept[j] < outputs else j % outputs for j in range(batch)], outputs)


SOFTMAX_CROSS_ENTROPY = Loss(
    "softmax_cross_entropy", "softmax cross-entropy", "P", "P = softmax(Y), each column", "−Σ T ⊙ log P / {B}",
    "{p} − {t}",
    "is softmax's probability less the one-hot target: with cross-entropy, the slopes of softmax and of the "
    "logarithm cancel and leave just this difference",
    last_activation="linear", classes=True,
    outputs=_softmax,
    exact_outputs=_softmax_exact,
    outputs_of=lambda y: [typed(p) for p in softmax_of([float(v) for v in y])],
    terms=_cross_entropies,
    divisor=lambda batch: batch,
    value=_cross_entropy,
    value_of=lambda y, t: typed(cross_entropy_of([float(v) for v in y], [float(v) for v in t])),
    error=lambda P, T: P - T,
    exact_error=lambda P, T: P - T,
    error_of=lambda p, t: p - t,
    targets_problem=_not_one_hot,
    default_targets=lambda outputs, batch: one_hot([j % outputs for j in range(batch)], outputs),
    fit_targets=_fit_classes,
)

#: Every loss training may lower, by name: the API, links and the training page's choice read this table.
LOSSES: dict[str, Loss] = {entry.name: entry for entry in (MSE, SOFTMAX_CROSS_ENTROPY)}


def loss_named(name: object) -> Loss:
    """The table's entry of this name, or ``ValueError`` listing the names there are."""
    entry = LOSSES.get(name) if isinstance(name, str) else None
    if entry is None:
        shown = repr(name[:30]) if isinstance(name, str) else repr(name)[:30]
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {shown}")
    return entry


__all__ = ["LOSSES", "MSE", "SOFTMAX_CROSS_ENTROPY", "WORKED_TARGETS", "Loss", "classes_of", "cross_entropy_of",
           "loss_named", "one_hot", "softmax_of"]
