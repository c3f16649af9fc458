"""Every table raphe writes reads cleanly in pandas, polars and DuckDB with their default
settings (issue 11): numeric columns come out as floats (the CSVs always write a decimal point
or exponent, so polars' schema inference from the first rows holds for the whole file), and
each reader gets the same numbers as the others and as Parquet.

Usage: check_readers.py RAPHE_BINARY
"""
import json
import math
import pathlib
import subprocess
import sys
import tempfile

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq


def pq_codec(path):
    return pq.ParquetFile(path).metadata.row_group(0).column(0).compression

SWEEP = """
[sweep]
name = "readers"
model = "human_als"
scenario = "baclofen_oral_tid"
design = "lhs"
samples = 40
seed = 3
duration = { value = 6, unit = "year" }
metrics = ["spasm_auc", "death_day", "peak_sedation"]
[sweep.trajectories]
every = { value = 30, unit = "day" }
columns = ["serotonin", "spasm_intensity"]
[[factor]]
target = "dosing.0.amount"
unit = "mg"
range = [5, 20]
[[factor]]
target = "model.raphe_hazard"
unit = "%/month"
range = [1, 4]
"""


def read_all(csv: pathlib.Path):
    """The table by each reader, as {column: list of floats or None} (numeric columns only)."""
    frames = {
        "pandas": pd.read_csv(csv),
        "polars": pl.read_csv(csv).to_pandas(),
        "duckdb": duckdb.sql(f"SELECT * FROM read_csv_auto('{csv}')").df(),
    }
    return frames


def same(a, b):
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and not (isinstance(b, float) and math.isnan(b)) and float(a) == float(b)


def check_table(csv: pathlib.Path, text_columns=("status", "metric", "unit")):
    frames = read_all(csv)
    reference = frames["pandas"]
    for name, frame in frames.items():
        assert list(frame.columns) == list(reference.columns), (csv.name, name, list(frame.columns))
        assert len(frame) == len(reference), (csv.name, name, len(frame))
        for column in frame.columns:
            if column in text_columns:
                continue
            if reference[column].isna().all():
                # No value at all (an event no run reached): CSV cannot say the type; all null.
                assert frame[column].isna().all(), (csv.name, name, column)
                continue
            kind = frame[column].dtype.kind
            assert kind in "fiu", (csv.name, name, column, frame[column].dtype)
            for i, (x, y) in enumerate(zip(reference[column], frame[column])):
                assert same(x, y), (csv.name, name, column, i, x, y)
    return len(reference)


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        run = lambda *args: subprocess.run([binary, *args], check=True, capture_output=True)
        run("simulate", "--scenario", "baclofen_oral_tid", "--out", str(tmp / "sim"))
        (tmp / "sweep.toml").write_text(SWEEP)
        run("sweep", str(tmp / "sweep.toml"), "--out", str(tmp / "sweep"))
        run("compare", "--scenario", "baclofen_oral_tid", "--scenario", "tizanidine_oral_tid", "--out", str(tmp / "cmp"))
        run("cohort", "--n", "60", "--out", str(tmp / "cohort"))
        trial = pathlib.Path(__file__).resolve().parents[2] / "models" / "trials" / "exercise_rct.toml"
        run("trial", str(trial), "--replicates", "3", "--out", str(tmp / "trial"))
        rows = {
            "trajectory.csv": check_table(tmp / "sim" / "trajectory.csv"),
            "runs.csv": check_table(tmp / "sweep" / "runs.csv"),
            "trajectories.csv": check_table(tmp / "sweep" / "trajectories.csv"),
            "compare.csv": check_table(tmp / "cmp" / "compare.csv"),
            "patients.csv": check_table(tmp / "cohort" / "patients.csv"),
            "quantiles.csv": check_table(tmp / "cohort" / "quantiles.csv"),
            "km_survival.csv": check_table(tmp / "cohort" / "km_survival.csv"),
            "km_spasm_onset.csv": check_table(tmp / "cohort" / "km_spasm_onset.csv"),
            "trial patients.csv": check_table(tmp / "trial" / "patients.csv", text_columns=("arm", "ashworth_change.status")),
            "results.csv": check_table(tmp / "trial" / "results.csv", text_columns=("endpoint", "arm", "test")),
            "power.csv": check_table(tmp / "trial" / "power.csv", text_columns=("endpoint", "arm")),
            "replicates.csv": check_table(tmp / "trial" / "replicates.csv", text_columns=("endpoint", "arm")),
        }
        # Parquet: the same tables in all three readers, and the trajectory as its CSV.
        for parquet, csv in [(tmp / "sweep" / "runs.parquet", None), (tmp / "cohort" / "patients.parquet", None),
                             (tmp / "sim" / "trajectory.parquet", tmp / "sim" / "trajectory.csv")]:
            a = pd.read_parquet(parquet)
            b = pl.read_parquet(parquet).to_pandas()
            c = duckdb.sql(f"SELECT * FROM '{parquet}'").df()
            frames = [b, c] + ([pd.read_csv(csv)] if csv else [])
            for frame in frames:
                assert list(frame.columns) == list(a.columns), parquet.name
                assert len(frame) == len(a), parquet.name
                for column in a.columns:
                    for x, y in zip(a[column], frame[column]):
                        assert x == y or same(x, y), (parquet.name, column, x, y)
            assert pq_codec(parquet) == "SNAPPY", parquet.name
        # The JSON outputs parse, and every number of the CSV has a decimal point or exponent.
        for f in ["sim/summary.json", "sim/manifest.json", "sim/trajectory.columns.json", "cmp/compare.json"]:
            json.loads((tmp / f).read_text())
        first = (tmp / "sim" / "trajectory.csv").read_text().splitlines()[1].split(",")
        assert all(("." in x or "e" in x or x in ("NaN", "inf")) for x in first), first
        longest = max(len(x) for line in (tmp / "sim" / "trajectory.csv").read_text().splitlines() for x in line.split(","))
        assert longest <= 24, longest
    print("pandas, polars and DuckDB read every table alike:", ", ".join(f"{k} {v} rows" for k, v in rows.items()))


if __name__ == "__main__":
    main()
