"""Write tests/fixtures/lstm_golden.npz: a torch.nn.LSTM run (weights, inputs, h and c per step).

The engine test compares against live PyTorch when it is installed and against this file always,
so the comparison keeps running on machines without torch. Re-run after changing the case:
    .venv/bin/python -m scripts.make_golden
"""

from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "lstm_golden.npz"
INPUTS, HIDDEN, STEPS, SEED = 3, 5, 60, 20261126


def main() -> None:
    torch.manual_seed(SEED)
    lstm = torch.nn.LSTM(INPUTS, HIDDEN, dtype=torch.float64)
    with torch.no_grad():
        for param in lstm.parameters():
            param.uniform_(-1.0, 1.0)  # wider than the default init, so gates saturate sometimes
    x = torch.randn(STEPS, INPUTS, dtype=torch.float64) * 2
    h0 = torch.randn(1, HIDDEN, dtype=torch.float64) * 0.5
    c0 = torch.randn(1, HIDDEN, dtype=torch.float64)
    h, c = [], []
    state = (h0, c0)
    with torch.no_grad():
        for t in range(STEPS):  # step by step: nn.LSTM itself only returns the last c
            _, state = lstm(x[t : t + 1], state)
            h.append(state[0][0].numpy().copy())
            c.append(state[1][0].numpy().copy())
    params = {name: p.detach().numpy() for name, p in lstm.named_parameters()}
    np.savez(
        OUT,
        weight_ih=params["weight_ih_l0"],
        weight_hh=params["weight_hh_l0"],
        bias_ih=params["bias_ih_l0"],
        bias_hh=params["bias_hh_l0"],
        x=x.numpy(),
        h0=h0[0].numpy(),
        c0=c0[0].numpy(),
        h=np.array(h),
        c=np.array(c),
        torch_version=np.array(torch.__version__),
    )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
