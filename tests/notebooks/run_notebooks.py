"""Execute every notebook (notebooks/NN-*.py, jupytext percent format) from its source, as CI
does from a fresh clone: a cell that raises (an assertion of the story, or an error) fails.
Also checks that each committed .ipynb holds the same cells as its .py (`jupytext --sync`).

    python tests/notebooks/run_notebooks.py [--write]   # --write: (re)write each .ipynb, executed
"""
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def sources(nb):
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def main():
    write = "--write" in sys.argv
    scripts = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.py"))
    assert scripts, "no notebooks"
    for script in scripts:
        nb = jupytext.read(script)
        paired = script.with_suffix(".ipynb")
        if not write and not paired.exists():
            sys.exit(f"{paired.name} missing: run jupytext --sync {script.name}")
        if not write and sources(nbformat.read(paired, as_version=4)) != sources(nb):
            sys.exit(f"{paired.name} and {script.name} differ: run jupytext --sync {script.name}")
        NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
        if write:
            nbformat.write(nb, paired)
        print(f"{script.name}: {len(nb.cells)} cells ran")
    print("notebooks OK")


if __name__ == "__main__":
    main()
