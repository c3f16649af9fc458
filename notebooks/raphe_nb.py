"""Helpers shared by the notebooks: find (or build) the raphe binary, run it, read its outputs.
The notebooks call the command line as a user would; nothing here simulates."""
import json
import os
import subprocess
from pathlib import Path

import pandas as pd
from IPython.display import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "notebooks" / "out"


def binary():
    """$RAPHE, or the release binary in cargo's target directory (built if missing)."""
    if "RAPHE" in os.environ:
        return os.environ["RAPHE"]
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT, capture_output=True, text=True, check=True)
    path = Path(json.loads(meta.stdout)["target_directory"]) / "release" / "raphe"
    if not path.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return str(path)


def raphe(*args):
    """Run raphe with `args`; its standard output (an error shows raphe's message)."""
    r = subprocess.run([binary(), *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    if r.returncode:
        raise RuntimeError(f"raphe {' '.join(map(str, args))}\n{r.stderr}")
    return r.stdout


def simulate(name, *args):
    """`raphe simulate ARGS --out notebooks/out/NAME`: (trajectory, summary)."""
    out = OUT / name
    raphe("simulate", *args, "--out", out, "--force")
    return read_run(out)


def read_run(out):
    traj = pd.read_parquet(out / "trajectory.parquet")
    summary = json.loads((out / "summary.json").read_text())
    return traj, summary


def figure(kind, *inputs, name, **options):
    """`raphe plot KIND INPUTS --out notebooks/out/NAME.png` at screen resolution, inline."""
    path = OUT / f"{name}.png"
    options.setdefault("dpi", 110)
    flags = [x for k, v in options.items() for x in (f"--{k.replace('_', '-')}", v)]
    raphe("plot", kind, *inputs, *flags, "--out", path)
    return Image(filename=str(path), width=720)


def at(traj, day, columns):
    """The trajectory's `columns` at the row nearest `day`."""
    row = traj.iloc[(traj["day"] - day).abs().argmin()]
    return row[columns]
