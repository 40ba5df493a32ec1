#!/usr/bin/env bash
# Create a virtual environment with pyBKT's compiled (C++) build, for benches/pybkt/compare.py.
#
# Usage: benches/pybkt/setup.sh [VENV_DIR]        (default: $HOME/.cache/pathwise/pybkt-venv)
#
# `pip install pyBKT` alone may give the pure-Python fallback, about 70x slower, which would make
# the comparison unfair to pyBKT. We build from the source distribution without build isolation so
# that setup.py sees numpy and compiles its C++ extensions, then check that it did.
set -euo pipefail

VENV="${1:-$HOME/.cache/pathwise/pybkt-venv}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
# The C++ build runs g++ on Eigen-heavy sources: keep it polite on a shared machine.
export MAKEFLAGS="${MAKEFLAGS:--j1}"
"$VENV/bin/pip" install --upgrade pip setuptools wheel
"$VENV/bin/pip" install -r "$HERE/requirements.txt"
"$VENV/bin/pip" install --no-binary pyBKT --no-build-isolation pyBKT==1.4.3

# Fail loudly if we got the pure-Python fallback.
"$VENV/bin/python" - <<'PY'
import sys
from importlib.metadata import version
import pyBKT.fit.E_step as e_step
import pyBKT.fit.predict_onestep_states as states
for mod in (e_step, states):
    if not str(getattr(mod, "__file__", "")).endswith(".so"):
        sys.exit(f"{mod.__name__} is not the compiled module ({getattr(mod, '__file__', '?')}): "
                 "pyBKT was installed without its C++ extensions and would be ~70x slower. "
                 "Check that g++ and numpy are available, then run this script again.")
print("pyBKT", version("pyBKT"), "with compiled modules:", e_step.__file__, states.__file__)
PY
echo "pyBKT C++ build ready in $VENV"
