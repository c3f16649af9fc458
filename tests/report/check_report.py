"""Check `raphe report` in a real browser (run by .ci/test).

Two simulate folders (untreated, oral baclofen) -> report.html. The page must be self-contained
(no script, no external source or link), and headless Chromium must load it without console
messages, find every figure as an inline SVG in the rendered DOM, and render it to a screenshot.
"""
import json, re, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(json.loads(subprocess.run(
    ["cargo", "metadata", "--format-version", "1", "--no-deps"],
    cwd=ROOT, check=True, capture_output=True, text=True).stdout)["target_directory"])
RAPHE = TARGET / "release" / "raphe"
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--enable-logging=stderr", "--v=0"]


def fail(message):
    sys.exit(f"FAIL report: {message}")


def chromium(args, profile):
    return subprocess.run(CHROMIUM + [f"--user-data-dir={profile}"] + args,
                          capture_output=True, text=True, timeout=120)


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    runs = []
    for scenario in [None, "baclofen_oral_tid"]:
        out = tmp / (scenario or "untreated")
        cmd = [str(RAPHE), "simulate", "--out", str(out)] + (["--scenario", scenario] if scenario else [])
        subprocess.run(cmd, check=True, capture_output=True)
        runs.append(str(out))
    page = tmp / "report.html"
    subprocess.run([str(RAPHE), "report", *runs, "--out", str(page)], check=True, capture_output=True)
    html = page.read_text()
    if "<script" in html:
        fail("the page has a script")
    external = re.findall(r'(?:src|href)\s*=\s*"(?!#)[^"]*"', html)
    if external:
        fail(f"the page loads external files: {external[:3]}")
    figures = html.count("<svg")
    if figures != 3:
        fail(f"{figures} inline figures, expected 3 (comparison and two courses)")
    dom = chromium(["--dump-dom", page.as_uri()], tmp / "profile1")
    if dom.returncode != 0:
        fail(f"chromium --dump-dom exited {dom.returncode}: {dom.stderr[-500:]}")
    console = [l for l in dom.stderr.splitlines() if ":CONSOLE" in l]
    if console:
        fail(f"console messages: {console[:3]}")
    if dom.stdout.count("<svg") != 3 or "Summary" not in dom.stdout:
        fail("the rendered DOM lacks the figures or the summary")
    shot = tmp / "shot.png"
    render = chromium([f"--screenshot={shot}", "--window-size=1280,4000", page.as_uri()], tmp / "profile2")
    if render.returncode != 0 or not shot.exists() or shot.stat().st_size < 50_000:
        fail(f"no screenshot ({render.returncode}): {render.stderr[-500:]}")
    print(f"report OK: {figures} figures, {page.stat().st_size} bytes, screenshot {shot.stat().st_size} bytes")
