"""Input sequence generators: pulse, sine, noise, constant. Pure NumPy."""

import numpy as np


def pulse(steps: int, at: int, width: int, amplitude: float) -> np.ndarray:
    """amplitude for steps at..at+width-1, zero elsewhere."""
    out = np.zeros(steps)
    out[max(at, 0) : max(at + width, 0)] = amplitude
    return out


def sine(steps: int, amplitude: float, period: float, phase: float) -> np.ndarray:
    """amplitude · sin(2π t / period + phase)."""
    t = np.arange(steps)
    out: np.ndarray = amplitude * np.sin(2 * np.pi * t / period + phase)
    return out


def noise(steps: int, amplitude: float, seed: int) -> np.ndarray:
    """Gaussian noise with standard deviation `amplitude`, reproducible from `seed`."""
    return amplitude * np.random.default_rng(seed).standard_normal(steps)


def constant(steps: int, value: float) -> np.ndarray:
    return np.full(steps, float(value))
