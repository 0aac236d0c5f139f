"""Issue 20's full-size model, built the same way by tests/test_page_fullsize.py and
benchmarks/bench_fullsize.py: a seeded char model, Embedding(96, 256) → nn.LSTM(256, 1,024,
num_layers=2) → Linear(1,024, 96), saved as float32 .safetensors (~55 MB) with its vocabulary in
the metadata; and PyTorch's c of each layer, the reference the page's numbers are held to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

VOCAB = [chr(code) for code in range(32, 127)] + ["\n"]  # 96 characters
EMBED, HIDDEN = 256, 1024


def full_size_model(path: Path) -> Any:
    """The seeded model, saved as float32 .safetensors with its vocabulary in the metadata; its
    modules (float64, of the saved float32 numbers) for the reference."""
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(20)
    embed = torch.nn.Embedding(len(VOCAB), EMBED)
    lstm = torch.nn.LSTM(EMBED, HIDDEN, num_layers=2)
    decoder = torch.nn.Linear(HIDDEN, len(VOCAB))
    state = {"embed.weight": embed.weight, "decoder.weight": decoder.weight, "decoder.bias": decoder.bias}
    state |= {f"lstm.{name}": value for name, value in lstm.state_dict().items()}
    tensors = {name: value.detach().float().contiguous() for name, value in state.items()}
    save_file(tensors, str(path), metadata={"vocab": json.dumps(VOCAB)})
    return embed.double(), lstm.double()


def torch_cells(embed: Any, lstm: Any, text: str) -> list[np.ndarray]:
    """c (T, H) of each layer, nn.LSTMCell stepped over what that layer reads (nn.LSTM returns
    only the last c)."""
    import torch

    with torch.no_grad():
        below = embed(torch.tensor([VOCAB.index(ch) for ch in text]))
        cells = []
        for k in range(lstm.num_layers):
            cell = torch.nn.LSTMCell(below.shape[1], HIDDEN).double()
            roles = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            cell.load_state_dict({role: getattr(lstm, f"{role}_l{k}") for role in roles})
            h = c = torch.zeros(1, HIDDEN, dtype=torch.float64)
            hs, cs = [], []
            for row in below:
                h, c = cell(row[None], (h, c))
                hs.append(h[0])
                cs.append(c[0].numpy().copy())
            cells.append(np.array(cs))
            below = torch.stack(hs)
    return cells


def torch_gradient_sizes(embed: Any, lstm: Any, text: str, layer: int) -> dict[str, np.ndarray]:
    """Of the loss L = Σ h_{T-1} of `layer` (reading the layer below's h as given), by autograd:
    ‖dL/dc_t‖ over every unit, and the largest belt-only Π_{s>t} f_s of any unit, per step."""
    import torch

    with torch.no_grad():
        below = embed(torch.tensor([VOCAB.index(ch) for ch in text])).double()
        for k in range(layer):
            below = lstm_layer_output(lstm, k, below)
    w_ih, w_hh = getattr(lstm, f"weight_ih_l{layer}").double(), getattr(lstm, f"weight_hh_l{layer}").double()
    bias = (getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}")).double()
    h = c = torch.zeros(HIDDEN, dtype=torch.float64)
    cs, fs = [], []
    for row in below:
        i, f, g, o = (row @ w_ih.T + h @ w_hh.T + bias).chunk(4)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        c.retain_grad()
        cs.append(c)
        fs.append(torch.sigmoid(f).detach().numpy())
    h.sum().backward()
    gate = np.array(fs)
    belt = np.ones_like(gate)
    for t in range(len(text) - 2, -1, -1):
        belt[t] = belt[t + 1] * gate[t + 1]
    return {
        "dL_dc_norm": np.array([np.linalg.norm(c.grad.numpy()) for c in cs if c.grad is not None]),
        "belt_max": belt.max(axis=1),
    }


def lstm_layer_output(lstm: Any, layer: int, below: Any) -> Any:
    """h (T, H) of one layer of `lstm` over its input rows, float64, without gradients."""
    import torch

    cell = torch.nn.LSTMCell(below.shape[1], HIDDEN).double()
    roles = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    cell.load_state_dict({role: getattr(lstm, f"{role}_l{layer}") for role in roles})
    h = c = torch.zeros(1, HIDDEN, dtype=torch.float64)
    hs = []
    with torch.no_grad():
        for row in below:
            h, c = cell(row[None], (h, c))
            hs.append(h[0])
    return torch.stack(hs)
