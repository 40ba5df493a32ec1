#!/usr/bin/env bash
# Create a virtual environment with pyBKT's compiled (C++) build, for benches/pybkt/compare.py.
#
# Usage: benches/pybkt/setup.sh [VENV_DIR]        (default: /work/.venv-pybkt)
#
# `pip install pyBKT` alone may give the pure-Python fallback, about 70x slower, which would make
# the comparison unfair to pyBKT. We build from the source distribution without build isolation so
# that setup.py sees numpy and compiles its C++ extensions, then check that it did.
set -euo pipefail

VENV="${1:-/work/.venv-pybkt}"
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
import importlib, sys
import pyBKT.fit.EM_fit as em
# The C++ build ships compiled extension modules next to the Python sources.
try:
    mod = importlib.import_module("pyBKT.fit.E_step")
except ImportError:
    mod = None
import pyBKT, os
root = os.path.dirname(pyBKT.__file__)
so = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".so")]
if not so:
    sys.exit("pyBKT was installed WITHOUT its compiled extensions (pure-Python fallback): "
             "the timing comparison would be unfair. Check that g++ and numpy are available.")
print("pyBKT", getattr(pyBKT, "__version__", "?"), "compiled modules:")
for path in sorted(so):
    print("  ", os.path.relpath(path, root))
PY
echo "pyBKT C++ build ready in $VENV"
