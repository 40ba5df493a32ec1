#!/usr/bin/env python3
"""Execute every notebook in this folder top to bottom, headless, so they never rot.

Usage: python notebooks/run_notebooks.py [--pathwise PATH] [NOTEBOOK...]

The notebooks call the `pathwise` binary; its path is passed to them in the PATHWISE_BIN environment
variable (default: `target/release/pathwise`, else `target/debug/pathwise`, relative to the repository, or
$CARGO_TARGET_DIR). Committed notebooks must carry no outputs: this script fails if one does.
Executed copies are written to a temporary folder, never back into the repository.
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


def find_binary(explicit):
    if explicit:
        return pathlib.Path(explicit).resolve()
    roots = [pathlib.Path(os.environ["CARGO_TARGET_DIR"])] if "CARGO_TARGET_DIR" in os.environ else []
    roots.append(REPO / "target")
    for root in roots:
        for profile in ("release", "debug"):
            candidate = root / profile / "pathwise"
            if candidate.exists():
                return candidate
    sys.exit("run_notebooks: no pathwise binary found; build it (cargo build -p pathwise-cli) or pass --pathwise")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pathwise", help="path of the pathwise binary")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args()
    os.environ["PATHWISE_BIN"] = str(find_binary(args.pathwise))
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
