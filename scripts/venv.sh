# Sourced by scripts/run and scripts/test: create .venv with a Python ≥ 3.11 if it is missing.
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "error: LSTM Conveyor needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
  }
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
VENV_PYTHON=.venv/bin/python
