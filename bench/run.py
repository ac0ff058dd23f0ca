"""The benchmark behind `make bench` and the README's Performance table.

Every tool runs as a fresh process (cold: what a user waits for), several times; the table
shows the median wall time and the largest peak memory. Peak memory comes from GNU time's
%M when /usr/bin/time is there: a child's own ru_maxrss (wait4) starts from the RSS of the
process that forked it, here this script's, which grows during the run and would set a
floor under every small tool. While a tool runs more than one process at once (`diffreport`
forks a side child for large pairs), %M sees only the largest: so one more run of each tool
samples the sum of the processes' proportional set sizes, and the peak is the larger of the
two. That run's time is not counted: reading a large process's page tables every 5 ms takes
a core from the tool (on two cores, json ÷ floor at real-2m read 19 with the sampling in the
timed runs, 15-16.6 without).
Ratios against the baselines measured in the same run matter more than seconds: this machine
is shared and noisy.

    python bench/run.py                 # everything (about a quarter of an hour)
    python bench/run.py --quick         # seed, one law pair, real-0.5m and real-1m
    python bench/run.py --only real     # pairs whose name contains "real" (or "a,b": a or b)
    python bench/run.py --only real --tools json,brief,floor   # these tools only, no extras

The floor (`bench/baselines.py floor`) is what any word-level comparison of Chinese pays: a
fresh process that reads both files and segments every line with jieba-rs. The targets of
issue 17 are ratios against it (`json ÷ floor`) on the real distinct inputs (`real-*`), and
the writers' against `json` in the same run: `brief`, `table` (the 修改前后对照表) and, on
real-1m, `history` (the Word history of three versions: old, a middle version revised in two
stages from `inputs.real_versions`, new), against `historyjson` (the same history as JSON: the
history writer's yardstick, as `json` is brief's); `steps` is its two steps'
`diff --format json` one after the other.

The targets' ratios on real-1m and real-2m (json ÷ floor, brief ÷ json) are also measured run
by run, the two tools one right after the other (`ALTERNATE`): this machine's speed drifts
within minutes, and medians of runs minutes apart can disagree by a fifth.

Results: bench/work/results.md (the table) and bench/work/results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inputs import ROOT, Pair, build  # noqa: E402

WORK = ROOT / "bench" / "work"
OUT = WORK / "out"
PY = sys.executable
DIFFREPORT = str(Path(PY).parent / "diffreport")
BASELINES = str(ROOT / "bench" / "baselines.py")
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
REDLINES_VENV = WORK / "redlines-venv"


def run_once(cmd: list[str], timeout: float, tree: bool = False) -> tuple[float, float, bool]:
    """(wall seconds, peak MB, finished) of one process; with ``tree``, the peak is also the
    largest sum of its processes' proportional set sizes, sampled every 5 ms (the wall time
    of such a run is not the tool's alone)."""
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "rss"
        if GNU_TIME:
            cmd = [GNU_TIME, "-f", "%M", "-o", str(peak_file), *cmd]
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = start + timeout
        together_kb = 0  # the largest sum over the tree while it held several processes
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                os.wait4(proc.pid, 0)
                return timeout, 0.0, False
            if tree:
                processes = _descendants(proc.pid)
                if len(processes) > (2 if GNU_TIME else 1):
                    together_kb = max(together_kb, sum(map(_pss_kb, processes)))
            time.sleep(0.005)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        peak_kb = usage.ru_maxrss
        if GNU_TIME:
            lines = peak_file.read_text().split()
            peak_kb = int(lines[-1]) if lines and lines[-1].isdigit() else peak_kb
        return wall, max(peak_kb, together_kb) / 1024, code in (0, 1)


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux; just ``pid`` elsewhere)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        with contextlib.suppress(OSError):
            todo += map(int, Path(f"/proc/{p}/task/{p}/children").read_text().split())
    return out


def _pss_kb(pid: int) -> int:
    """A process's proportional set size: its own pages plus its share of shared ones."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def measure(cmd: list[str], runs: int, timeout: float) -> dict:
    walls, peaks = [], []
    for _ in range(runs):
        wall, peak, ok = run_once(cmd, timeout)
        if not ok:
            return {"ok": False, "wall": None, "peak": None, "timeout": timeout}
        walls.append(wall)
        peaks.append(peak)
        if wall > timeout / 3:  # slow tool: one run says enough
            break
    else:  # the memory of all its processes together, in a run of its own (not timed)
        _, peak, ok = run_once(cmd, timeout, tree=True)
        if ok:
            peaks.append(peak)
    return {"ok": True, "wall": statistics.median(walls), "peak": max(peaks), "runs": len(walls)}


# Targets' ratios judged run by run as well: the machine's speed drifts within minutes (the
# floor measured 0.18 s and 0.22 s two hours apart), so the two tools of a ratio also run one
# right after the other, ALTERNATE_RUNS times. (pair, (numerator tool, denominator tool)).
ALTERNATE_RUNS = 3
ALTERNATE: dict[str, list[tuple[str, str]]] = {
    "real-1m": [("json", "floor"), ("brief", "json")],
    "real-2m": [("json", "floor")],
}


def alternate(top: list[str], bottom: list[str], runs: int, timeout: float) -> list[float]:
    """Wall-time ratios ``top`` ÷ ``bottom``, each of ``runs`` pairs of runs one right after
    the other (empty if either fails)."""
    out = []
    for _ in range(runs):
        below, _, ok_below = run_once(bottom, timeout)
        above, _, ok_above = run_once(top, timeout)
        if not (ok_below and ok_above) or below <= 0:
            return []
        out.append(above / below)
    return out


def profile(pair: Pair) -> dict[str, float]:
    """Per-stage milliseconds from `diffreport diff --format json --profile`."""
    done = subprocess.run(
        [DIFFREPORT, "diff", str(pair.old), str(pair.new), "--format", "json", "--profile"],
        capture_output=True,
        text=True,
    )
    stages = {}
    for line in done.stderr.splitlines():
        name, _, value = line.partition(":")
        if value.strip().endswith("ms"):
            stages[name.strip()] = float(value.strip()[:-2])
    return stages


# -- Python-Redlines (the Docxodus engine, a .NET binary shipped in a PyPI wheel) -------------


def redlines_binary() -> str | None:
    """Install python-redlines[docxodus] into its own venv (once) and return its engine."""
    python = REDLINES_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(REDLINES_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "python-redlines[docxodus]"],
            check=False,
        )
    probe = (
        "from python_redlines.engines import DocxodusEngine;"
        f"print(DocxodusEngine(target_path={str(WORK / 'redlines-engine')!r}).extracted_binaries_path)"
    )
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    path = done.stdout.strip()
    return path if done.returncode == 0 and path and Path(path).exists() else None


def as_docx(path: Path) -> Path:
    """The same paragraphs as a .docx (Markdown headings as Word headings)."""
    target = WORK / "docx" / (path.name + ".docx")
    if target.exists() and target.stat().st_mtime >= path.stat().st_mtime:
        return target
    import docx

    target.parent.mkdir(parents=True, exist_ok=True)
    doc = docx.Document()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("<!--"):
            continue
        level = len(line) - len(line.lstrip("#"))
        if 0 < level <= 6:
            doc.add_heading(line[level:].strip(), level)
        else:
            doc.add_paragraph(line)
    doc.save(target)
    return target


# -- in-process and batch --------------------------------------------------------------------


def warm_in_process(pair: Pair, repeats: int = 15) -> float:
    """Median seconds of compare() on paths in a process that has already done one."""
    code = (
        "import statistics,sys,time\n"
        "from diffreport.compare import compare\n"
        "compare(sys.argv[1], sys.argv[2])\n"
        "ts=[]\n"
        f"for _ in range({repeats}):\n"
        "    t=time.perf_counter(); compare(sys.argv[1], sys.argv[2]); ts.append(time.perf_counter()-t)\n"
        "print(statistics.median(ts))\n"
    )
    done = subprocess.run(
        [PY, "-c", code, str(pair.old), str(pair.new)], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip())


def batch_throughput(pairs: list[Pair], copies: int = 8) -> dict[str, float]:
    """Pairs per second of `diffreport batch`: the local engine with one worker and with all
    cores, and the Dask engine on a LocalCluster and through a `dask scheduler` with as many
    `dask worker` processes (when Dask is installed). `--force`: a batch resumes otherwise."""
    listing = WORK / "batch-pairs.csv"
    with listing.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["old", "new"])
        for _ in range(copies):
            for pair in pairs:
                writer.writerow([pair.old, pair.new])
    n = copies * len(pairs)
    out: dict[str, float] = {"pairs": n}
    cores = os.cpu_count() or 1

    def rate(name: str, *extra: str) -> None:
        cmd = [DIFFREPORT, "batch", str(listing), "--out", str(OUT / f"batch-{name}"), "--force"]
        wall, _, ok = run_once([*cmd, *extra], timeout=1800)
        out[name] = n / wall if ok else float("nan")

    for workers in (1, cores):
        rate(f"local workers={workers}", "--workers", str(workers))
    try:
        import distributed  # noqa: F401
    except ImportError:
        return out
    rate(f"dask LocalCluster workers={cores}", "--engine", "dask", "--workers", str(cores))
    with dask_cluster(cores) as address:
        rate(f"dask scheduler workers={cores}", "--engine", "dask", "--scheduler", address)
    return out


@contextlib.contextmanager
def dask_cluster(workers: int):
    """`dask scheduler` and `dask worker` processes on loopback, as on separate hosts."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [
        subprocess.Popen(
            [PY, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1"]
            + ["--port", str(port), "--no-dashboard"],
            **quiet,
        )
    ]
    procs += [
        subprocess.Popen(
            [PY, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-dashboard"],
            **quiet,
        )
        for _ in range(workers)
    ]
    try:
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def pdf_pages_per_second(repeats: int = 3) -> dict[str, float] | None:
    """Pages per second reading a text PDF of at least 100 pages (the fixture laws laid out
    as an office lays them out, printed by LibreOffice): `read()` in a warm process, median."""
    sys.path.insert(0, str(ROOT / "tests"))
    import layouts

    if layouts.soffice() is None:
        return None
    folder = WORK / "pdf"
    pdf = folder / "law-100.pdf"
    if not pdf.exists():
        folder.mkdir(parents=True, exist_ok=True)
        laws = sorted((ROOT / "tests" / "fixtures" / "law").glob("*.md"))
        paragraphs = [p for law in laws for p in layouts.source_paragraphs(law)]
        layouts.to_pdf([layouts.office_docx(paragraphs, folder / "law-100.docx")], folder)
    code = (
        "import statistics,sys,time\n"
        "import pypdfium2\n"
        "from diffreport.readers import read\n"
        "pages=len(pypdfium2.PdfDocument(sys.argv[1]))\n"
        "ts=[]\n"
        f"for _ in range({repeats}):\n"
        "    t=time.perf_counter(); read(sys.argv[1]); ts.append(time.perf_counter()-t)\n"
        "print(pages, statistics.median(ts))\n"
    )
    done = subprocess.run([PY, "-c", code, str(pdf)], capture_output=True, text=True, check=True)
    pages, seconds = done.stdout.split()
    return {
        "pages": int(pages),
        "seconds": float(seconds),
        "pages_per_s": int(pages) / float(seconds),
    }


# -- the table -------------------------------------------------------------------------------


def fmt_s(m: dict | None) -> str:
    if not m:
        return "–"
    if not m["ok"]:
        return f"> {m['timeout']:.0f} s"
    return f"{m['wall']:.2f} s / {m['peak']:.0f} MB"


def ratio(a: dict | None, b: dict | None) -> str:
    if not a or not b or not a["ok"]:
        return "–"
    if not b["ok"]:
        return f"< {a['wall'] / b['timeout']:.2f}"
    return f"{a['wall'] / b['wall']:.2f}"


def table(rows: list[dict]) -> str:
    head = (
        "| input | MB/side | diffreport json | diffreport brief | floor (read + jieba-rs) "
        "| json ÷ floor | brief ÷ json | table ÷ json | history ÷ json "
        "| difflib ndiff | all-pairs matrix | Python-Redlines "
        "| read+parse only | json ÷ difflib | json ÷ all-pairs | json ÷ Redlines |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        t = r["tools"]
        lines.append(
            f"| {r['name']} | {r['mb']:.2f} | {fmt_s(t.get('json'))} | {fmt_s(t.get('brief'))} "
            f"| {fmt_s(t.get('floor'))} | {ratio(t.get('json'), t.get('floor'))} "
            f"| {ratio(t.get('brief'), t.get('json'))} "
            f"| {ratio(t.get('table'), t.get('json'))} | {ratio(t.get('history'), t.get('json'))} "
            f"| {fmt_s(t.get('difflib'))} | {fmt_s(t.get('allpairs'))} | {fmt_s(t.get('redlines'))} "
            f"| {fmt_s(t.get('readparse'))} "
            f"| {ratio(t.get('json'), t.get('difflib'))} | {ratio(t.get('json'), t.get('allpairs'))} "
            f"| {ratio(t.get('json'), t.get('redlines'))} |"
        )
    return head + "\n".join(lines) + "\n"


def targets(rows: list[dict]) -> str:
    """Issue 17's targets, from this run's rows (ratios within the run)."""
    by = {r["name"]: r["tools"] for r in rows}

    def wall(name: str, tool: str) -> float | None:
        m = by.get(name, {}).get(tool)
        return m["wall"] if m and m["ok"] else None

    def ok(value: float | None, bound: float, unit: str = "") -> str:
        if value is None:
            return "–"
        return f"{value:.2f}{unit} ({'met' if value <= bound else 'NOT met'})"

    def div(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    def alternating(name: str, ratio: str) -> str:
        """The ratio's alternating runs (:data:`ALTERNATE`), if measured."""
        runs = next((r.get("alternating", {}) for r in rows if r["name"] == name), {}).get(ratio)
        return f"; alternating runs {', '.join(f'{v:.2f}' for v in runs)}" if runs else ""

    out = ["| target | measured (medians; run by run) |", "|---|---|"]
    for name, bound in (("real-0.5m", None), ("real-1m", 12), ("real-2m", 12)):
        value = div(wall(name, "json"), wall(name, "floor"))
        text = ok(value, bound) if bound else ("–" if value is None else f"{value:.2f}")
        text += alternating(name, "json/floor")
        out.append(f"| {name}: json ÷ floor{f' ≤ {bound}' if bound else ''} | {text} |")
    a, b = by.get("real-1m", {}).get("json"), by.get("real-2m", {}).get("json")
    if a and b and a["ok"] and b["ok"]:
        mb = {r["name"]: r["mb"] for r in rows}
        k = math.log(b["wall"] / a["wall"]) / math.log(mb["real-2m"] / mb["real-1m"])
        out.append(f"| growth real-1m → real-2m ≤ n^1.1 | {ok(k, 1.1)} |")
    brief = ok(div(wall("real-1m", "brief"), wall("real-1m", "json")), 1.25)
    out.append(f"| real-1m: brief ÷ json ≤ 1.25 | {brief}{alternating('real-1m', 'brief/json')} |")
    out.append(
        f"| real-1m: table (对照表) ÷ json ≤ 1.25 | {ok(div(wall('real-1m', 'table'), wall('real-1m', 'json')), 1.25)} |"
    )
    out.append(
        "| real-1m: history writer, history of three versions docx ÷ its json ≤ 1.25 "
        f"| {ok(div(wall('real-1m', 'history'), wall('real-1m', 'historyjson')), 1.25)} |"
    )
    value = div(wall("real-1m", "history"), wall("real-1m", "json"))
    out.append(
        "| real-1m: history of three versions (docx) ÷ json of two (informational: two "
        f"comparisons) | {'–' if value is None else f'{value:.2f}'} |"
    )
    steps = div(wall("real-1m", "history"), wall("real-1m", "steps"))
    out.append(
        "| real-1m: history ÷ its two steps' json, one after the other (informational) "
        f"| {'–' if steps is None else f'{steps:.2f}'} |"
    )
    out.append(
        "| unrelated-1m ÷ real-1m (json) ≤ 1 "
        f"| {ok(div(wall('unrelated-1m', 'json'), wall('real-1m', 'json')), 1.0)} |"
    )
    peak = by.get("real-2m", {}).get("json")
    if peak and peak["ok"]:
        out.append(f"| real-2m peak memory < 600 MB | {ok(peak['peak'], 600, ' MB')} |")
    out.append(f"| seed json cold < 0.5 s | {ok(wall('seed', 'json'), 0.5, ' s')} |")
    return "\n".join(out) + "\n"


def stage_table(rows: list[dict]) -> str:
    names: list[str] = []
    for r in rows:
        for k in r.get("stages", {}):
            if k not in names:
                names.append(k)
    head = "| input | " + " | ".join(names) + " |\n|---|" + "---|" * len(names) + "\n"
    body = "".join(
        f"| {r['name']} | " + " | ".join(f"{r['stages'].get(k, 0):.0f}" for k in names) + " |\n"
        for r in rows
        if r.get("stages")
    )
    return head + body


def growth(rows: list[dict], key: str = "json") -> str:
    """Exponent of time against size between the smallest and largest real distinct pairs."""
    large = [r for r in rows if r["group"] == "real" and r["tools"].get(key, {}).get("ok")]
    if len(large) < 2:
        return "–"
    a, b = min(large, key=lambda r: r["mb"]), max(large, key=lambda r: r["mb"])
    ta, tb = a["tools"][key]["wall"], b["tools"][key]["wall"]
    return f"{math.log(tb / ta) / math.log(b['mb'] / a['mb']):.2f} ({a['name']} → {b['name']})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--runs", type=int, default=None, help="runs per small input (default 3)")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument(
        "--tools",
        default="",
        help="comma-separated subset of json,brief,table,history,historyjson,steps,floor,difflib,"
        "allpairs,readparse,redlines (history, historyjson and steps: pairs with a third version, real-1m); "
        "given: no batch, PDF or warm extras",
    )
    args = ap.parse_args()
    only_tools = {t for t in args.tools.split(",") if t}

    OUT.mkdir(parents=True, exist_ok=True)
    pairs = build()
    if args.quick:
        keep = {"seed", "law:上海市检验检测条例", "real-0.5m", "real-1m"}
        pairs = [p for p in pairs if p.name in keep]
    wanted = args.only.split(",")
    pairs = [p for p in pairs if any(w in p.name for w in wanted)]
    small_runs = args.runs or 3
    redline = redlines_binary() if not only_tools or "redlines" in only_tools else None
    print(f"Python-Redlines engine: {redline or 'not available'}", flush=True)
    # The package's bytecode, as an installed package has it (pip compiles it): where
    # PYTHONDONTWRITEBYTECODE is set, every run would compile diffreport from source
    # (~60 ms of the seed pair's 0.5 s).
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "diffreport")], check=True)
    # Warm the caches a first run builds (jieba's dictionary, the IDF table).
    subprocess.run([DIFFREPORT, "diff", str(pairs[0].old), str(pairs[0].new)], capture_output=True)

    rows = []
    for pair in pairs:
        runs = small_runs if pair.size < 200_000 else 2 if pair.size < 1_200_000 else 1
        tools: dict[str, dict] = {}
        cmds = {
            "json": [DIFFREPORT, "diff", str(pair.old), str(pair.new), "--format", "json"],
            "brief": [
                DIFFREPORT,
                "brief",
                str(pair.old),
                str(pair.new),
                "-o",
                str(OUT / f"{pair.name.replace(':', '-')}.docx"),
            ],
            # The 修改前后对照表 (side by side, Word).
            "table": [
                DIFFREPORT,
                "table",
                str(pair.old),
                str(pair.new),
                "-o",
                str(OUT / f"{pair.name.replace(':', '-')}.table.docx"),
            ],
            "floor": [PY, BASELINES, "floor", str(pair.old), str(pair.new)],
            "difflib": [PY, BASELINES, "difflib", str(pair.old), str(pair.new)],
            "allpairs": [PY, BASELINES, "allpairs", str(pair.old), str(pair.new)],
            # diffreport's floor: start-up, reading and parsing, before any comparing.
            "readparse": [PY, BASELINES, "readparse", str(pair.old), str(pair.new)],
        }
        middle = pair.old.with_name(pair.old.name.replace(".old.", ".mid."))
        if middle != pair.old and middle.exists():  # a third version (inputs.real_versions)
            versions = [str(pair.old), str(middle), str(pair.new)]
            # The history briefing (Word) of the three versions; its steps compared alone.
            cmds["history"] = [DIFFREPORT, "history", *versions, "--format", "docx", "-o"]
            cmds["history"].append(str(OUT / f"{pair.name}.history.docx"))
            # The same history as JSON: the history writer's bound is docx ÷ this, as brief's is
            # brief ÷ json (issue 17: the writers within 1.25 × the comparison they render).
            cmds["historyjson"] = [DIFFREPORT, "history", *versions, "--format", "json", "-o"]
            cmds["historyjson"].append(str(OUT / f"{pair.name}.history.json"))
            cmds["steps"] = [
                "sh",
                "-c",
                'for s in "$1 $2" "$2 $3"; do "$0" diff $s --format json -o /dev/null; done',
                DIFFREPORT,
                *versions,
            ]
        if redline:
            cmds["redlines"] = [
                redline,
                "bench",
                str(as_docx(pair.old)),
                str(as_docx(pair.new)),
                str(OUT / f"{pair.name.replace(':', '-')}.redline.docx"),
            ]
        for tool, cmd in cmds.items():
            if only_tools and tool not in only_tools:
                continue
            tools[tool] = measure(cmd, runs, args.timeout)
            print(f"{pair.name:32s} {tool:9s} {fmt_s(tools[tool])}", flush=True)
        alternating = {}
        for top, bottom in ALTERNATE.get(pair.name, []):
            if tools.get(top, {}).get("ok") and tools.get(bottom, {}).get("ok"):
                ratios = alternate(cmds[top], cmds[bottom], ALTERNATE_RUNS, args.timeout)
                alternating[f"{top}/{bottom}"] = ratios
                shown = ", ".join(f"{r:.2f}" for r in ratios) or "failed"
                print(f"{pair.name:32s} {top} ÷ {bottom}, alternating: {shown}", flush=True)
        rows.append(
            {
                "name": pair.name,
                "group": pair.group,
                "mb": pair.size / 1e6,
                "tools": tools,
                "alternating": alternating,
                "stages": profile(pair),
            }
        )
    seed = next((p for p in pairs if p.name == "seed"), None)
    extras = not only_tools
    extra = {
        "warm_seed_ms": warm_in_process(seed) * 1000 if seed and extras else None,
        "growth_json": growth(rows, "json"),
        "growth_brief": growth(rows, "brief"),
        "batch": batch_throughput([p for p in pairs if p.group in ("seed", "law")])
        if extras
        else {},
        "pdf": pdf_pages_per_second() if extras else None,
        "redlines": redline is not None,
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    report = [
        "Wall time (median of runs) / peak memory of one process; ratios are diffreport json ÷ baseline.\n",
        table(rows),
        "\nIssue 17's targets (ratios within this run):\n",
        targets(rows),
        "\nPer-stage milliseconds (`diffreport diff --format json --profile`):\n",
        stage_table(rows),
        f"\nIn-process comparison of the seed pair after warm-up: {extra['warm_seed_ms']:.0f} ms"
        if extra["warm_seed_ms"]
        else "",
        f"\nGrowth exponent (time ∝ size^k), json: {extra['growth_json']}; brief: {extra['growth_brief']}",
        "\nBatch throughput (pairs/s): "
        + ", ".join(f"{k} {v:.2f}" for k, v in extra["batch"].items() if k != "pairs")
        + f" over {extra['batch']['pairs']:.0f} pairs"
        if extra["batch"]
        else "",
        (
            f"\nPDF reading: {extra['pdf']['pages_per_s']:.0f} pages/s"
            f" ({extra['pdf']['pages']} pages in {extra['pdf']['seconds']:.2f} s, aim >= 50)"
            if extra["pdf"]
            else "\nPDF reading: not measured (needs LibreOffice)"
        ),
        f"\n{extra['machine']}, {extra['date']}\n",
    ]
    text = "\n".join(report)
    (WORK / "results.md").write_text(text, encoding="utf-8")
    (WORK / "results.json").write_text(
        json.dumps({"rows": rows, **extra}, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    print("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
