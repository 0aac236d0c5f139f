"""Validated shapes of everything a client may send: REST bodies and WebSocket messages.

Numbers are strict (a string or a bool is not a number), finite, and bounded by
settings.max_abs_value, so nothing that passes here can overflow the engine.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Json, model_validator

from .config import get_settings
from .engine.embedding import TextModel, UnknownToken
from .file_errors import setting
from .i18n import ProblemError, validation_problem


def _within_limit(value: float) -> float:
    limit = get_settings().max_abs_value
    if abs(value) > limit:
        raise validation_problem("out_of_bounds", limit=f"{limit:g}")
    return value


Value = Annotated[float, Field(strict=True, allow_inf_nan=False), AfterValidator(_within_limit)]
Index = Annotated[int, Field(strict=True, ge=0)]
Vector = list[Value]
Matrix = list[Vector]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_rectangular(name: str, rows: Matrix, width: int | None = None) -> int:
    """Raise unless every row has the same length (and that length is `width`, when given)."""
    if not rows:
        raise ProblemError("no_rows", field=name)
    expected = len(rows[0]) if width is None else width
    for k, row in enumerate(rows):
        if len(row) != expected:
            raise ProblemError("row_length", field=f"{name}[{k}]", length=len(row), expected=expected)
    return len(rows)


# --- REST -------------------------------------------------------------------------------------


class WeightsIn(Strict):
    """One layer in PyTorch naming. LSTM: rows of each 4H block in the order i, f, g, o."""

    weight_ih: Matrix = Field(description="LSTM (4H, D); RNN (H, D)")
    weight_hh: Matrix = Field(description="LSTM (4H, H); RNN (H, H)")
    bias_ih: Vector = Field(description="LSTM (4H,); RNN (H,)")
    bias_hh: Vector = Field(description="LSTM (4H,); RNN (H,)")

    def sizes(self, blocks: int) -> tuple[int, int]:
        """(H, D) implied by weight_ih, after checking every tensor agrees; blocks: 4 LSTM, 3 GRU, 1 RNN."""
        settings = get_settings()
        rows = check_rectangular("weight_ih", self.weight_ih)
        if rows % blocks:
            raise ProblemError("gru_weight_ih_rows" if blocks == 3 else "weight_ih_rows", rows=rows)
        hidden, inputs = rows // blocks, len(self.weight_ih[0])
        if not 1 <= hidden <= settings.max_hidden:
            raise ProblemError("hidden_range", hidden=hidden, limit=settings.max_hidden)
        if not 1 <= inputs <= settings.max_inputs:
            raise ProblemError("inputs_range", inputs=inputs, limit=settings.max_inputs)
        if len(self.weight_hh) != rows:
            raise ProblemError("weight_hh_rows", count=len(self.weight_hh), rows=rows, hidden=hidden)
        check_rectangular("weight_hh", self.weight_hh, hidden)
        for name in ("bias_ih", "bias_hh"):
            if len(getattr(self, name)) != rows:
                raise ProblemError(
                    "bias_length", field=name, length=len(getattr(self, name)), hidden=hidden, expected=rows
                )
        return hidden, inputs


class LSTMWeightsIn(WeightsIn):
    @model_validator(mode="after")
    def _shapes_agree(self) -> LSTMWeightsIn:
        self.sizes(blocks=4)
        return self


class GradientsRequest(Strict):
    target: Literal["sum"] | Index = Field(
        default="sum", description='L = Σ_k h_{T-1}[k] for "sum", or h_{T-1}[k] for a unit k'
    )


BLOCKS = {"lstm": 4, "gru": 3, "rnn": 1}  # gate blocks in weight_ih's rows


class TextModelIn(Strict):
    """A model that reads text: its vocabulary, embedding (and decoder) around the LSTM."""

    vocab: list[Annotated[str, Field(strict=True, min_length=1, max_length=100)]] = Field(
        description="V tokens, one per embedding row; all single characters (besides <unk>): read by "
        "characters, else by whitespace-separated words"
    )
    embedding: Matrix = Field(description="(V, D) nn.Embedding's weight")
    decoder_weight: Matrix | None = Field(
        default=None, description="(V, H) nn.Linear's weight after the LSTM"
    )
    decoder_bias: Vector | None = Field(default=None, description="(V,) its bias")

    def model(self) -> TextModel:
        weight = None if self.decoder_weight is None else np.asarray(self.decoder_weight, dtype=np.float64)
        bias = None if self.decoder_bias is None else np.asarray(self.decoder_bias, dtype=np.float64)
        return TextModel(tuple(self.vocab), np.asarray(self.embedding, dtype=np.float64), weight, bias)

    def check_sizes(self, inputs: int, hidden: int, field: str = "text") -> None:
        """Every size against the layer's D and H; ProblemError naming the field."""
        rows = len(self.vocab)
        if len(set(self.vocab)) != rows:
            raise ProblemError("vocab_not_unique", field=f"{field}.vocab")
        if check_rectangular(f"{field}.embedding", self.embedding, inputs) != rows:
            raise ProblemError(
                "embedding_rows", field=f"{field}.embedding", rows=len(self.embedding), tokens=rows
            )
        if (self.decoder_weight is None) != (self.decoder_bias is None):
            raise ProblemError("decoder_half", field=f"{field}.decoder_weight")
        if self.decoder_weight is not None and self.decoder_bias is not None:
            check_rectangular(f"{field}.decoder_weight", self.decoder_weight, hidden)
            if len(self.decoder_weight) != rows or len(self.decoder_bias) != rows:
                raise ProblemError("decoder_rows", field=f"{field}.decoder_weight", tokens=rows)


class TextIn(TextModelIn):
    """The text to read, and the model that reads it."""

    text: str = Field(strict=True, description="the text; at most LSTM_CONVEYOR_MAX_TEXT_CHARS characters")

    def ids(self) -> np.ndarray:
        try:
            return self.model().tokenize(self.text)
        except UnknownToken as err:
            raise ProblemError(
                "unknown_token", field="text.text", token=err.token, position=err.position
            ) from None

    def check(self, inputs: int, hidden: int) -> int:
        """T, after checking every size against the layer's D and H and the limits."""
        self.check_sizes(inputs, hidden)
        limit = get_settings().max_text_chars
        if len(self.text) > limit:
            raise ProblemError(
                "text_too_long",
                field="text.text",
                value=len(self.text),
                limit=limit,
                setting=setting("max_text_chars"),
            )
        steps = len(self.ids())
        if steps == 0:
            raise ProblemError("text_empty", field="text.text")
        return steps


class LayerRequest(Strict):
    """One layer and what it reads: x, or text through an embedding; (h0, c0) zeros when left out."""

    model: Literal["lstm", "gru", "rnn"] = Field(
        default="lstm", description="nn.LSTM, nn.GRU or a tanh nn.RNN"
    )
    weights: WeightsIn
    x: Matrix | None = Field(default=None, description="(T, D) input sequence (or `text`)")
    h0: Vector | None = Field(default=None, description="(H,) initial hidden state")
    c0: Vector | None = Field(default=None, description="(H,) initial cell state (LSTM only)")
    text: TextIn | None = Field(
        default=None, description="text instead of x (LSTM only): x_t = embedding[id_t]"
    )
    reset_after: bool | None = Field(
        default=None,
        description="GRU only: true (PyTorch, Keras' default) applies the reset gate after W_hn; false is "
        "Keras' reset_after=False, r ⊙ h_{t-1} before W_hn",
    )

    def inputs(self) -> np.ndarray:
        """x (T, D): as given, or the embedding rows of the text's tokens."""
        if self.text is None:
            return np.asarray(self.x, dtype=np.float64)
        return self.text.model().embed(self.text.ids())

    @model_validator(mode="after")
    def _sizes_agree(self) -> LayerRequest:
        settings = get_settings()
        hidden, inputs = self.weights.sizes(blocks=BLOCKS[self.model])
        if (self.x is None) == (self.text is None):
            raise ProblemError("x_or_text")
        if self.text is not None and self.model != "lstm":
            raise ProblemError("text_is_for_lstm")
        if self.text is not None:
            steps = self.text.check(inputs, hidden)
        else:
            steps = check_rectangular("x", self.x or [], inputs)
        if steps > settings.max_steps:
            raise ProblemError("too_many_steps", field="x", steps=steps, limit=settings.max_steps)
        if self.model != "lstm" and self.c0 is not None:
            raise ProblemError("rnn_has_no_c0" if self.model == "rnn" else "gru_has_no_c0")
        if self.model != "gru" and self.reset_after is not None:
            raise ProblemError("reset_after_is_for_gru")
        for name in ("h0", "c0"):
            value = getattr(self, name)
            if value is not None and len(value) != hidden:
                raise ProblemError("state_length", field=name, length=len(value), hidden=hidden)
        return self


Quantity = Annotated[str, Field(strict=True, min_length=1, max_length=16)]


class TraceRequest(LayerRequest):
    """Run one layer over x from (h0, c0), zeros when left out; optionally backpropagate."""

    gradients: GradientsRequest | None = Field(default=None, description="also return dL/d… per step")
    quantities: Annotated[list[Quantity], Field(min_length=1, max_length=32)] | None = Field(
        default=None,
        description='only these arrays (e.g. ["h", "c"]); default: every one. A name the answer '
        "would not hold is refused",
    )
    format: Literal["json", "npz"] = Field(
        default="json", description='"npz": the arrays as one .npz file (np.load(..., allow_pickle=False))'
    )

    @model_validator(mode="after")
    def _within_trace_limits(self) -> TraceRequest:
        settings = get_settings()
        hidden, _ = self.weights.sizes(blocks=BLOCKS[self.model])
        steps = len(self.x or []) if self.text is None else len(self.text.ids())
        if steps * hidden > settings.max_trace_cells:
            raise ProblemError("trace_too_large", cells=steps * hidden, limit=settings.max_trace_cells)
        target = None if self.gradients is None else self.gradients.target
        if isinstance(target, int) and target >= hidden:
            raise ProblemError("target_out_of_range", value=target, hidden=hidden)
        return self


Title = Annotated[str, Field(strict=True, max_length=80)]


class OpenRequest(LayerRequest):
    """A model to open in the page (POST /api/open as JSON): an LSTM or a GRU and its inputs."""

    model: Literal["lstm", "gru"] = Field(default="lstm", description="nn.LSTM or nn.GRU")
    title: Title | None = Field(default=None, description="what the page calls it")


class OpenFields(Strict):
    """POST /api/open's form fields besides the files (the inputs as JSON text, or text)."""

    x: Json[Matrix] | None = Field(default=None, description="(T, D) as JSON text")
    text: Annotated[str, Field(strict=True, min_length=1)] | None = None
    h0: Json[Vector] | None = None
    c0: Json[Vector] | None = None
    title: Title | None = None


class OpenedLayer(BaseModel):
    """One layer of a stack /api/open keeps."""

    id: str = Field(description='its forward direction\'s layer id in the file ("l0", "lstm.l1", …)')
    H: int = Field(description="hidden size of each direction")
    D: int = Field(description="input size: layer 0's x, or the layer below's output (H or 2H)")
    reverse: bool = Field(description="whether it has a reverse direction (bidirectional=True)")


class OpenAnswer(BaseModel):
    id: str = Field(description="the key the model is kept under: the WebSocket's `open` message takes it")
    url: str = Field(description="the page that opens it: this server's address + path")
    path: str = Field(description='"/?open=<id>"')
    expires_in: float = Field(description="seconds it is kept (LSTM_CONVEYOR_OPEN_MAX_AGE_SECONDS)")
    model: Literal["lstm", "gru"]
    T: int
    D: int
    H: int
    layer: str | None = Field(default=None, description="a form's: the layer opened (as /api/weights)")
    layers: list[LayerSummary] | None = Field(default=None, description="a form's: the file's layers")
    skipped: list[SkippedLayer] | None = None
    stack: list[OpenedLayer] | None = Field(
        default=None,
        description="a form's whose layers make a stack (nn.LSTM(num_layers=K)): every layer bottom up, "
        "all kept; the session shows the chosen one (layer 0 by default) and set_layer any other",
    )


class TopNext(BaseModel):
    """After each step t: the likeliest next tokens, likeliest first, and their softmax probabilities."""

    tokens: list[list[str]]
    p: Matrix


class LSTMTraceResponse(BaseModel):
    """One list of T rows per quantity; x and dL_dx rows have D values, all others H."""

    x: Matrix
    h_prev: Matrix
    c_prev: Matrix
    pre_i: Matrix
    pre_f: Matrix
    pre_g: Matrix
    pre_o: Matrix
    pre_i_x: Matrix = Field(description="the input's part of pre_i: gate i's rows of W_ih x_t")
    pre_i_h: Matrix = Field(description="the previous output's part of pre_i: gate i's rows of W_hh h_{t-1}")
    pre_i_b: Matrix = Field(description="the bias's part of pre_i: gate i's rows of b_ih + b_hh, every step")
    pre_f_x: Matrix = Field(description="the input's part of pre_f: gate f's rows of W_ih x_t")
    pre_f_h: Matrix = Field(description="the previous output's part of pre_f: gate f's rows of W_hh h_{t-1}")
    pre_f_b: Matrix = Field(description="the bias's part of pre_f: gate f's rows of b_ih + b_hh, every step")
    pre_g_x: Matrix = Field(description="the input's part of pre_g: gate g's rows of W_ih x_t")
    pre_g_h: Matrix = Field(description="the previous output's part of pre_g: gate g's rows of W_hh h_{t-1}")
    pre_g_b: Matrix = Field(description="the bias's part of pre_g: gate g's rows of b_ih + b_hh, every step")
    pre_o_x: Matrix = Field(description="the input's part of pre_o: gate o's rows of W_ih x_t")
    pre_o_h: Matrix = Field(description="the previous output's part of pre_o: gate o's rows of W_hh h_{t-1}")
    pre_o_b: Matrix = Field(description="the bias's part of pre_o: gate o's rows of b_ih + b_hh, every step")
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
    dL_dc: Matrix | None = Field(default=None, description="dL/dc_t through every path (with gradients)")
    dL_dh: Matrix | None = Field(default=None, description="dL/dh_t through every path (with gradients)")
    dL_dx: Matrix | None = Field(default=None, description="dL/dx_t (with gradients)")
    belt: Matrix | None = Field(default=None, description="Π_{s=t+1..T-1} f_s: the belt-only path")
    tokens: list[str] | None = Field(default=None, description="with `text`: the token of each step")
    top: TopNext | None = Field(
        default=None, description="with `text` and a decoder: the 5 likeliest next tokens"
    )


class GRUTraceResponse(BaseModel):
    """h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ n_t: the hidden state is the belt. One list of T rows per
    quantity."""

    x: Matrix
    h_prev: Matrix
    pre_r: Matrix
    pre_z: Matrix
    pre_n: Matrix
    pre_r_x: Matrix = Field(description="the input's part of pre_r: gate r's rows of W_ih x_t")
    pre_r_h: Matrix = Field(description="the previous output's part of pre_r: gate r's rows of W_hh h_{t-1}")
    pre_r_b: Matrix = Field(description="the bias's part of pre_r: gate r's rows of b_ih + b_hh, every step")
    pre_z_x: Matrix = Field(description="the input's part of pre_z")
    pre_z_h: Matrix = Field(description="the previous output's part of pre_z")
    pre_z_b: Matrix = Field(description="the bias's part of pre_z")
    pre_n_x: Matrix = Field(description="the input's part of pre_n: W_in x_t")
    pre_n_h: Matrix = Field(
        description="what h_{t-1} brings through the reset gate: r ⊙ W_hn h_{t-1} (or W_hn (r ⊙ h_{t-1}))"
    )
    pre_n_b: Matrix = Field(description="b_in + r ⊙ b_hn (or b_in + b_hn)")
    r: Matrix
    z: Matrix
    n: Matrix
    kept: Matrix = Field(description="z ⊙ h_prev")
    forgotten: Matrix = Field(description="(1 − z) ⊙ h_prev")
    added: Matrix = Field(description="(1 − z) ⊙ n")
    h: Matrix
    dL_dh: Matrix | None = Field(default=None, description="dL/dh_t through every path (with gradients)")
    dL_dx: Matrix | None = Field(default=None, description="dL/dx_t (with gradients)")
    belt: Matrix | None = Field(default=None, description="Π_{s=t+1..T-1} z_s: the belt-only path")


class RNNTraceResponse(BaseModel):
    """h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), one list of T rows per quantity."""

    x: Matrix
    h_prev: Matrix
    pre: Matrix
    h: Matrix
    dL_dh: Matrix | None = Field(default=None, description="dL/dh_t through every path (with gradients)")
    dL_dx: Matrix | None = Field(default=None, description="dL/dx_t (with gradients)")


class ScenarioSummary(BaseModel):
    name: str
    title: str
    description: str
    prompt: str = Field(description='one "try this" line: what to do at open_step and what it shows')
    open_step: int = Field(description="the step a page opens the scenario at, where something happens")


class ScenarioKnobs(BaseModel):
    """The knobs a scenario opens (and resets) with, as the page's `set_knobs` takes them."""

    bias_i: float
    bias_f: float
    bias_g: float
    bias_o: float
    weight_scale: float
    rnn_scale: float = Field(
        description="the plain RNN foil's self-recurrent weight w (the gradient lab's is 2)"
    )
    target: int | Literal["sum"]
    clamps: dict[str, list[float | None]] = Field(
        description="forced gate values per unit, by gate; {} if none"
    )


class ScenarioDetail(ScenarioSummary):
    """Post `weights`, `x`, `h0` and `c0` to /api/trace to reproduce what the page shows."""

    weights: LSTMWeightsIn
    x: Matrix
    h0: Vector
    c0: Vector
    input_names: list[str]
    input_range: tuple[float, float]
    knobs: ScenarioKnobs
    tokens: list[str] | None = Field(
        default=None,
        description="a model that reads text (python-code): the token of each step, x_t its embedding row",
    )


class GRUScenarioKnobs(BaseModel):
    """A GRU scenario's knobs: its gates' bias shifts, and the rest as an LSTM's."""

    bias_r: float
    bias_z: float
    bias_n: float
    weight_scale: float
    rnn_scale: float
    target: int | Literal["sum"]
    clamps: dict[str, list[float | None]] = Field(description="forced values of r, z, n per unit; {} if none")


class GRUScenarioDetail(ScenarioSummary):
    """A scenario's GRU version (`?model=gru`): post `model`, `weights`, `x`, `h0` and `reset_after`
    to /api/trace to reproduce what the page shows. A GRU has no c0."""

    model: Literal["gru"]
    reset_after: bool
    weights: WeightsIn = Field(description="gate rows r, z, n: (3H, D), (3H, H), (3H,), (3H,)")
    x: Matrix
    h0: Vector
    input_names: list[str]
    input_range: tuple[float, float]
    knobs: GRUScenarioKnobs


# --- Files (app/web/files.py) -----------------------------------------------------------------


class LayerSummary(BaseModel):
    id: str = Field(description="pass it as the form field `layer` to import this layer")
    naming: Literal["pytorch", "keras"]
    H: int = Field(description="hidden size")
    D: int = Field(description="input size")
    reverse: bool = Field(description="the backward direction of a bidirectional nn.LSTM (…_reverse)")
    model: Literal["gru"] | None = Field(
        default=None, description='"gru" for a GRU layer; absent for an LSTM'
    )
    reset_after: bool | None = Field(
        default=None, description="a GRU's: false for Keras' reset_after=False (r ⊙ h_{t-1} before W_hn)"
    )


class SkippedLayer(BaseModel):
    id: str
    detail: str = Field(description="why it cannot be imported, as the refusal would say")
    code: str = Field(description="the problem's code, as in a refusal")
    params: dict[str, Any] = Field(description="the problem's parameters, as in a refusal")


class ImportedWeights(BaseModel):
    """One layer in /api/trace's form (PyTorch layout: an LSTM's gate rows i, f, g, o, a GRU's r, z,
    n), and the file's others."""

    weights: WeightsIn
    layer: str = Field(description="id of the layer in `weights`")
    layers: list[LayerSummary] = Field(
        description="every layer of the kind asked for (`model`) that the file holds and can be imported"
    )
    skipped: list[SkippedLayer] = Field(
        description="layers that cannot be imported as that kind (an LSTM when a GRU is asked for…), and why"
    )
    model: Literal["gru"] | None = Field(
        default=None,
        description='"gru" when `weights` is a GRU (post it with "model": "gru"); absent for an LSTM',
    )
    reset_after: bool | None = Field(
        default=None, description="the GRU's, as /api/trace takes it; absent for an LSTM"
    )
    text: ImportedText | None = Field(
        default=None,
        description="an embedding, its vocabulary (and a decoder) beside the LSTM (or the stack), if any",
    )
    stack: list[ImportedStackLayer] | None = Field(
        default=None,
        description="when the layer is one of a stack (nn.LSTM num_layers > 1, or bidirectional): every "
        "layer, bottom up; restore it with the socket's `restore` `stack`",
    )


class ImportedStackLayer(BaseModel):
    id: str = Field(description="the forward direction's layer id")
    weights: WeightsIn
    reverse: WeightsIn | None = Field(default=None, description="a bidirectional layer's reverse direction")


class ImportedText(BaseModel):
    """/api/trace's `text`, without the text: add one and post it with the weights."""

    vocab: list[str]
    embedding: Matrix
    decoder_weight: Matrix | None = None
    decoder_bias: Vector | None = None


class ImportedInputs(BaseModel):
    x: Matrix | None = Field(default=None, description="(T, D) input sequence, as /api/trace takes it")
    T: int | None = None
    D: int | None = None
    ids: list[int] | None = Field(default=None, description="a 1-D .npy of non-negative integers: token ids")
    text: str | None = Field(default=None, description="a .txt file's text (and no x)")


class WeightsExport(Strict):
    weights: LSTMWeightsIn


class Refusal(BaseModel):
    """A refused file or export. `code` and `params` name the problem (the "problems" of
    app/locales/en.json, with the values its text takes) so a client can say it in its own
    language; `detail` is the English text."""

    detail: str = Field(description="what is wrong with the file, naming the tensor, line or limit")
    code: str = Field(description='stable name of the problem, e.g. "tensor_missing", "csv_not_number"')
    params: dict[str, Any] = Field(
        description='the values its text takes, e.g. {"name": "weight_hh_l0", "layer": "l0", …}'
    )
