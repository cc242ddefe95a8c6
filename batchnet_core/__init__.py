"""batchnet: a ReLU network processing a batch of inputs, by hand and by numpy.

>>> import batchnet_core as bn
>>> s = bn.preset("three-inputs")
>>> bn.forward(s).Y
array([[0., 0., 0.],
       [3., 3., 4.]])
"""

from . import code  # noqa: F401  (State.to_code writes with it)
from .convert import state_to_csv as to_csv
from .exercises import Cell, Exercise
from .nn.activations import ACTIVATIONS
from .nn.forward import RESULTS, Explanation, Trace, explain, forward, forward_loop, relu, relu_zeroed
from .nn.layers import MAX_DEPTH, Layer, field_names, layers_of, result_names
from .nn.losses import LOSSES
from .nn.numbers import format_number, parse_number
from .nn.state import FIELDS, MAX_MAGNITUDE, MAX_SIZE, PRESETS, State, parameter_count, preset, random_state, resize
from .nn.training import (
    DeltaExplanation,
    GradientExplanation,
    Gradients,
    backward,
    backward_loop,
    explain_delta,
    explain_gradient,
    loss,
    sgd_step,
)
from .steps import Frame, walk
from .worksheet import worksheet_pdf

__all__ = [
    "ACTIVATIONS", "FIELDS", "MAX_DEPTH", "MAX_MAGNITUDE", "MAX_SIZE", "PRESETS", "RESULTS", "Cell",
    "DeltaExplanation", "Exercise", "Explanation", "LOSSES",
    "Frame", "GradientExplanation", "Gradients", "Layer", "State", "Trace", "backward", "backward_loop", "explain",
    "explain_delta", "explain_gradient", "field_names", "format_number", "forward", "forward_loop", "layers_of",
    "loss", "parameter_count", "parse_number", "preset", "random_state", "relu", "relu_zeroed", "resize",
    "result_names", "sgd_step", "to_csv", "walk", "worksheet_pdf",
]
