"""Validated shapes of everything a client may send: REST bodies and WebSocket messages.

Numbers are strict (a string or a bool is not a number), finite, and bounded by
settings.max_abs_value, so nothing that passes here can overflow the engine.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from app.config import get_settings


def _within_limit(value: float) -> float:
    limit = get_settings().max_abs_value
    if abs(value) > limit:
        raise ValueError(f"must lie within ±{limit:g}")
    return value


Value = Annotated[float, Field(strict=True, allow_inf_nan=False), AfterValidator(_within_limit)]
Index = Annotated[int, Field(strict=True, ge=0)]
Vector = list[Value]
Matrix = list[Vector]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_rectangular(name: str, rows: Matrix, width: int | None = None) -> int:
    """Raise unless every row has the same length (and that length is `width`, when given)."""
    if not rows:
        raise ValueError(f"{name} must have at least one row")
    expected = len(rows[0]) if width is None else width
    for k, row in enumerate(rows):
        if len(row) != expected:
            raise ValueError(f"{name}[{k}] has {len(row)} values, expected {expected}")
    return len(rows)


# --- REST -------------------------------------------------------------------------------------


class LSTMWeightsIn(Strict):
    """One nn.LSTM layer, PyTorch layout: rows of each 4H block in the order i, f, g, o."""

    weight_ih: Matrix = Field(description="(4H, D)")
    weight_hh: Matrix = Field(description="(4H, H)")
    bias_ih: Vector = Field(description="(4H,)")
    bias_hh: Vector = Field(description="(4H,)")

    @model_validator(mode="after")
    def _shapes_agree(self) -> LSTMWeightsIn:
        settings = get_settings()
        rows = _check_rectangular("weight_ih", self.weight_ih)
        if rows % 4:
            raise ValueError(f"weight_ih has {rows} rows; it must have 4H rows (gates i, f, g, o)")
        hidden, inputs = rows // 4, len(self.weight_ih[0])
        if not 1 <= hidden <= settings.max_hidden:
            raise ValueError(f"H={hidden} must be in 1..{settings.max_hidden}")
        if not 1 <= inputs <= settings.max_inputs:
            raise ValueError(f"D={inputs} must be in 1..{settings.max_inputs}")
        if len(self.weight_hh) != 4 * hidden:
            raise ValueError(
                f"weight_hh has {len(self.weight_hh)} rows, but weight_ih's {rows} rows mean "
                f"H={hidden}, so weight_hh must be ({4 * hidden}, {hidden})"
            )
        _check_rectangular("weight_hh", self.weight_hh, hidden)
        for name in ("bias_ih", "bias_hh"):
            if len(getattr(self, name)) != 4 * hidden:
                raise ValueError(f"{name} must have 4H={4 * hidden} values")
        return self

    @property
    def hidden_size(self) -> int:
        return len(self.weight_hh[0])

    @property
    def input_size(self) -> int:
        return len(self.weight_ih[0])


class TraceRequest(Strict):
    """Run one LSTM layer over x from (h0, c0); zeros when h0 or c0 is left out."""

    weights: LSTMWeightsIn
    x: Matrix = Field(description="(T, D) input sequence")
    h0: Vector | None = Field(default=None, description="(H,) initial hidden state")
    c0: Vector | None = Field(default=None, description="(H,) initial cell state")

    @model_validator(mode="after")
    def _sizes_agree(self) -> TraceRequest:
        settings = get_settings()
        hidden, inputs = self.weights.hidden_size, self.weights.input_size
        steps = _check_rectangular("x", self.x, inputs)
        if steps > settings.max_steps:
            raise ValueError(f"x has {steps} steps; at most {settings.max_steps} are allowed")
        if steps * hidden > settings.max_trace_cells:
            raise ValueError(f"T·H = {steps * hidden} exceeds {settings.max_trace_cells}")
        for name in ("h0", "c0"):
            value = getattr(self, name)
            if value is not None and len(value) != hidden:
                raise ValueError(f"{name} has {len(value)} values, but H={hidden}")
        return self


class TraceResponse(BaseModel):
    """One list of T rows per quantity; x rows have D values, all others H."""

    x: Matrix
    h_prev: Matrix
    c_prev: Matrix
    pre_i: Matrix
    pre_f: Matrix
    pre_g: Matrix
    pre_o: Matrix
    i: Matrix
    f: Matrix
    g: Matrix
    o: Matrix
    kept: Matrix = Field(description="f ⊙ c_prev")
    forgotten: Matrix = Field(description="(1 − f) ⊙ c_prev")
    added: Matrix = Field(description="i ⊙ g")
    c: Matrix
    tanh_c: Matrix
    h: Matrix


class ScenarioSummary(BaseModel):
    name: str
    title: str
    description: str


class ScenarioDetail(ScenarioSummary):
    """Post `weights`, `x`, `h0` and `c0` to /api/trace to reproduce what the page shows."""

    weights: LSTMWeightsIn
    x: Matrix
    h0: Vector
    c0: Vector
    input_names: list[str]
    input_range: tuple[float, float]


# --- WebSocket messages ------------------------------------------------------------------------


class Message(Strict):
    id: Index | None = Field(default=None, description="echoed back as `ack`")


class LoadScenario(Message):
    type: Literal["load"]
    scenario: str


class SetInput(Message):
    type: Literal["set_input"]
    t: Index
    j: Index
    value: Value


class SetSequence(Message):
    type: Literal["set_sequence"]
    x: Matrix

    @field_validator("x")
    @classmethod
    def _rectangular(cls, x: Matrix) -> Matrix:
        _check_rectangular("x", x)
        return x


class Pulse(Strict):
    kind: Literal["pulse"]
    at: Index = 0
    width: Annotated[int, Field(strict=True, ge=1)] = 1
    amplitude: Value = 1.0


class Sine(Strict):
    kind: Literal["sine"]
    amplitude: Value = 1.0
    period: Annotated[float, Field(strict=True, ge=1.0, le=1e6)] = 20.0
    phase: Value = 0.0


class Noise(Strict):
    kind: Literal["noise"]
    amplitude: Value = 0.5
    seed: Index = 0


class Constant(Strict):
    kind: Literal["constant"]
    value: Value = 0.0


Generator = Annotated[Pulse | Sine | Noise | Constant, Field(discriminator="kind")]


class Generate(Message):
    type: Literal["generate"]
    component: Index | None = Field(default=None, description="input j, or every input")
    sequence: Generator


class SetState(Message):
    type: Literal["set_state"]
    h0: Vector | None = None
    c0: Vector | None = None


class Reset(Message):
    type: Literal["reset"]


class Sync(Message):
    type: Literal["sync"]


ClientMessage = Annotated[
    LoadScenario | SetInput | SetSequence | Generate | SetState | Reset | Sync,
    Field(discriminator="type"),
]
