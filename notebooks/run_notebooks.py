#!/usr/bin/env python3
"""Execute every notebook in this folder top to bottom, headless, so they never rot.

Usage: python notebooks/run_notebooks.py [NOTEBOOK...]

The notebooks use the `pathwise` Python package, which must be installed in the Python that runs
this script (`pip install ./python`, or `maturin develop -m python/Cargo.toml`); the repository's
path reaches them in PATHWISE_REPO. Committed notebooks must carry no outputs: this script fails if
one does. Executed copies are written to a temporary folder, never back into the repository.
"""
import argparse
import os
import pathlib
import sys
import tempfile

import nbformat
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args()
    try:
        import pathwise  # noqa: F401  (the notebooks import it: fail here, once, if it is missing)
    except ImportError:
        sys.exit("run_notebooks: the pathwise package is not installed; pip install ./python")
    os.environ["PATHWISE_REPO"] = str(REPO)
    notebooks = args.notebooks or sorted(HERE.glob("*.ipynb"))
    if not notebooks:
        sys.exit("run_notebooks: no notebooks found")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="pathwise-notebooks-") as scratch:
        for path in notebooks:
            nb = nbformat.read(path, as_version=4)
            dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
            if dirty:
                print(f"FAIL {path.name}: committed with outputs in cells {dirty} (strip them)")
                failures += 1
                continue
            client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                                    resources={"metadata": {"path": scratch}})
            try:
                client.execute()
            except Exception as error:  # nbclient raises CellExecutionError with the traceback
                print(f"FAIL {path.name}: {str(error).strip().splitlines()[-1]}")
                failures += 1
                continue
            nbformat.write(nb, pathlib.Path(scratch) / path.name)
            print(f"ok   {path.name}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
