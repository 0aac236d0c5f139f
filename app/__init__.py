"""LSTM Conveyor: an LSTM's cell state as a conveyor belt, computed in NumPy and drawn in the browser.

Installed, this package is `lstm_conveyor` (pyproject.toml maps it from the checkout's app/), so it
never collides with another project's top-level `app`; its modules import each other relatively.
"""

__version__ = "0.1.0"  # the one place: pyproject.toml reads it, the API reports it
