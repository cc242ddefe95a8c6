"""A state as a script that rebuilds it and prints its results, run on its own.

The one place that writes scripts. The same numbers come in the three notations of
``batchnet_core.notation`` (``CONVENTIONS``):

- ``"columns"``, the worksheet's: X is inputs × batch, each input a column; ``H_z = W1 @ X + b1[:, None]``.
- ``"rows"``, PyTorch's and most libraries': X is batch × inputs, each input a row; ``H_z = X @ W1.T + b1``.
- ``"augmented"``, the AI-by-Hand worksheets': a 1 appended to each input and each bias as its W's last
  column, ``H_z = W1_aug @ X_aug``.

and in numpy or PyTorch (``FRAMEWORKS``); PyTorch's ``nn.Linear`` keeps its bias apart from W, so
it takes columns or rows, not augmented.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

import numpy as np

from .nn.activations import Activation, activations_of
from .nn.compute import forward_floats
from .nn.formats import rows
from .nn.layers import Layer, layers_of
from .nn.state import writes_code
from .notation import NOTATIONS, Notation

#: The notations a script can be written in, those of the notation table; the first is the default.
CONVENTIONS = tuple(NOTATIONS)
#: The libraries a script can be written for; the first is the default.
FRAMEWORKS = ("numpy", "torch")
#: The widest a comment of a script is, with the code before it: PEP 8's 72 columns, which the page's
#: code panel shows whole. A longer comment is wrapped; a longer line's comment goes on lines above it.
COMMENT_WIDTH = 72
#: The operators of a comment's formulas: a formula is not wrapped between its terms.
OPERATORS = ("=", "+", "·", "×", "@")

Layers = Sequence[tuple[np.ndarray, np.ndarray]]


def _literal(array: np.ndarray) -> str:
    return repr(rows(array))


def _choice(argument: str, value: object, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``, else a ValueError that names the argument and the choices
    (for a convention, in the words of ``notation.notation``); a value that is no string says its type."""
    if isinstance(value, str) and value in choices:
        return value
    given = repr(value[:20]) if isinstance(value, str) else f"{repr(value)[:20]} ({type(value).__name__})"
    raise ValueError(f"{argument} must be one of {', '.join(choices)}; got {given}")


@writes_code
def script(layers: Layers, X: np.ndarray, convention: str = "columns", framework: str = "numpy",
           activations: Sequence[str] | None = None) -> str:
    """A script that rebuilds the network and the batch, runs the batch through it and prints every result.

    Run on its own, it defines the weights and biases (W1, b1, ...), the inputs (x1, x2, ...), X and
    every result of the layers table (H_z, H, Y_z, Y for two layers), and prints each result with
    its name; whole numbers print as whole numbers.

    Parameters
    ----------
    layers : sequence of (W, b)
        W of shape (units, units of the layer before); b of shape (units,).
    X : ndarray, shape (inputs, batch)
        Column j is input x(j+1).
    convention, framework : str
        As ``State.to_code`` describes them, which passes them here; checked here, and refused with
        the ``ValueError`` it names.
    activations : sequence of str
        Each layer's activation by its name (``State.activations``); ReLU for every layer unless given.

    Examples
    --------
    >>> import batchnet_core as bn
    >>> s = bn.preset("three-inputs")
    >>> [line for line in script(s.layers, s.X, "rows").splitlines() if line.startswith(("X =", "H_z ="))]
    ['X = np.stack([x1, x2, x3])', 'H_z = X @ W1.T + b1']
    >>> script(s.layers, s.X, "augmented", "torch")
    Traceback (most recent call last):
    ...
    ValueError: convention='augmented' is for framework='numpy' only: ...
    """
    n = NOTATIONS[_choice("convention", convention, CONVENTIONS)]
    chosen = activations_of(activations, len(layers))
    if _choice("framework", framework, FRAMEWORKS) == "numpy":
        return _numpy_script(layers, X, n, chosen)
    if n.augmented:
        raise ValueError("convention='augmented' is for framework='numpy' only: nn.Linear keeps its bias apart "
                         "from W, so with framework='torch' convention must be 'columns' or 'rows'")
    return _torch_script(layers, X, n, chosen)


def _inputs(X: np.ndarray, tensor: str) -> tuple[list[str], list[str]]:
    """The names x1, x2, ... of the inputs, and the lines that define them with ``tensor`` (a format)."""
    names = [f"x{j + 1}" for j in range(X.shape[1])]
    return names, [f"{name} = {tensor.format(_literal(x))}" for name, x in zip(names, X.T)]


def _print_loop(names: Sequence[Layer], value: str = "value") -> list[str]:
    results = ", ".join(f'("{name}", {name})' for layer in names for name in (layer.pre, layer.post))
    return [f"for name, value in [{results}]:", f'    print(f"{{name}} =\\n{{{value}}}\\n")', ""]


def _numpy_script(layers: Layers, X: np.ndarray, n: Notation, activations: Sequence[Activation]) -> str:
    names = layers_of(len(layers))
    as_rows, augmented = n.transposed, n.augmented
    # whole numbers stay numpy integers (they print as 3, not 3.), unless a sum could pass what int64
    # and float64 hold exactly: then every array is float, as forward computes
    array = "np.array({})" if _whole(layers, X) else "np.array({}, dtype=float)"
    lines = ["import numpy as np", "", "# The network: one row of weights per unit, one bias per unit"]
    for layer, (W, b) in zip(names, layers):
        lines += [f"{layer.weights} = {array.format(_literal(W))}", f"{layer.bias} = {array.format(_literal(b))}"]
    if augmented:
        lines += ["# Augmented, as in the AI-by-Hand worksheets: each bias becomes its W's last column"]
        lines += [f"{layer.weights}_aug = np.column_stack([{layer.weights}, {layer.bias}])" for layer in names]
    inputs, defined = _inputs(X, array)
    lines += ["", "# The batch: each input vector is one row of X (the worksheet's X on its side, Xᵀ)" if as_rows
              else "# The batch: each input vector is one column of X", *defined]
    lines += [f"X = np.{'stack' if as_rows else 'column_stack'}([{', '.join(inputs)}])"]
    if augmented:
        lines += ["X_aug = np.vstack([X, np.ones_like(X[:1])])  # a 1 under each input, to multiply the bias"]
    lines += ["", "# Every input at once: each cell is " + (
        "(row of X) · (row of weights) + bias, so W is transposed" if as_rows
        else "(row of W_aug) · (column of X_aug), bias times 1 included" if augmented
        else "(row of weights) · (column of X) + bias")]
    for layer, activation in zip(names, activations):
        if as_rows:
            lines += [f"{layer.pre} = {layer.source} @ {layer.weights}.T + {layer.bias}"]
        elif augmented:
            lines += [f"{layer.pre} = {layer.weights}_aug @ {layer.source}_aug"]
        else:
            lines += [f"{layer.pre} = {layer.weights} @ {layer.source} + {layer.bias}[:, None]"]
        lines += [f"{layer.post} = {activation.numpy.format(z=layer.pre)}  # {activation.label}"]
        if augmented and not layer.output:
            lines += [f"{layer.post}_aug = np.vstack([{layer.post}, np.ones_like({layer.post}[:1])])"
                      "  # a 1 under each column, for the next bias"]
    lines += [""]
    if as_rows:
        lines += ["# One row per input: each result is the worksheet's matrix transposed"]
    return _joined(lines + _print_loop(names))


def _torch_script(layers: Layers, X: np.ndarray, n: Notation, activations: Sequence[Activation]) -> str:
    names = layers_of(len(layers))
    as_columns = not n.transposed
    tensor = "torch.tensor({}, dtype=torch.float64)"
    lines = ["import torch", "from torch import nn", "",
             "# The network: one row of weights per unit, one bias per unit, as in the worksheet"]
    for layer, (W, b) in zip(names, layers):
        lines += [f"{layer.weights} = {tensor.format(_literal(W))}", f"{layer.bias} = {tensor.format(_literal(b))}"]
    lines += ["", "# nn.Linear stores W as out × in and takes one input per row: Y = X·Wᵀ + b",
              "model = nn.Sequential(  # in float64, as numpy computes: whole numbers stay exact"]
    lines += [f"    nn.Linear({W.shape[1]}, {W.shape[0]}, dtype=torch.float64), {activation.torch},"
              for (W, _), activation in zip(layers, activations)]
    lines += [")", "with torch.no_grad():"]
    for k, layer in enumerate(names):
        lines += [f"    model[{2 * k}].weight.copy_({layer.weights})", f"    model[{2 * k}].bias.copy_({layer.bias})"]
    inputs, defined = _inputs(X, tensor)
    lines += ["", "# The batch: each input vector is one column of X, as in the worksheet" if as_columns
              else "# The batch: each input vector is one row of X (the worksheet's X on its side, Xᵀ)", *defined]
    lines += [f"X = torch.stack([{', '.join(inputs)}]{', dim=1' if as_columns else ''})", ""]
    flip = ".T" if as_columns else ""
    lines += ["# nn.Linear takes one input per row: .T turns the columns into rows, and its result back"
              if as_columns else "# Every input at once, one row per input",
              "with torch.no_grad():", f"    Y = model(X{flip}){flip}  # the whole network",
              "    # the same, one layer at a time, to see what each makes"]
    for k, (layer, activation) in enumerate(zip(names, activations)):
        product = (f"{layer.weights}·{layer.source} + {layer.bias}" if as_columns
                   else f"{layer.source}·{layer.weights}ᵀ + {layer.bias}")
        lines += [f"    {layer.pre} = model[{2 * k}]({layer.source}{flip}){flip}  # {product}"]
        if not layer.output:
            lines += [f"    {layer.post} = model[{2 * k + 1}]({layer.pre})  # {activation.label}"]
    lines += ["", "# One column per input, as in the worksheet" if as_columns
              else "# One row per input: each result is the worksheet's matrix transposed"]
    if _whole(layers, X) and all(activation.keeps_whole for activation in activations):
        lines += ["# Every number here is whole: print 3, not 3."]
        return _joined(lines + _print_loop(names, "value.long()"))
    return _joined(lines + _print_loop(names))


def _joined(lines: list[str]) -> str:
    """The script's lines as one text, each comment within ``COMMENT_WIDTH``.

    >>> print(_joined(["x = 1  # " + "word " * 15, "    # " + "long " * 12 + "then y = a · b + c"]))
    # word word word word word word word word word word word word word word
    # word
    x = 1
        # long long long long long long long long long long long long then
        # y = a · b + c
    """
    out = []
    for line in lines:
        code, mark, comment = line.partition("# ")
        if len(line) <= COMMENT_WIDTH or not mark:
            out.append(line)
            continue
        indent = line[:len(line) - len(line.lstrip())]
        # a formula and a bracket stay on one line: Y = X·Wᵀ + b, (row of X) · (row of weights)
        comment = re.sub(r"\([^()]*\)", lambda group: group[0].replace(" ", "\N{NO-BREAK SPACE}"), comment)
        for operator in OPERATORS:
            comment = comment.replace(f" {operator} ", f"\N{NO-BREAK SPACE}{operator}\N{NO-BREAK SPACE}")
        wrapped = textwrap.wrap(comment, COMMENT_WIDTH, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# ")
        out += [part.replace("\N{NO-BREAK SPACE}", " ") for part in wrapped]
        if code.strip():
            out.append(code.rstrip())
    return "\n".join(out)


def _whole(layers: Layers, X: np.ndarray) -> bool:
    """Whether every result is a whole number that float64 holds exactly: every weight, bias and input
    is whole, and no sum on the way reaches 2**53 (bounded by the same pass on their magnitudes)."""
    given = [X, *(array for pair in layers for array in pair)]
    if not all(np.array_equal(array, np.round(array)) for array in given):
        return False
    bound = forward_floats([(np.abs(W), np.abs(b)) for W, b in layers], np.abs(X))
    return all(bool(np.all(Z < 2**53)) for Z, _ in bound)
