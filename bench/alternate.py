"""Cold runs of a base version and this checkout, alternating, ratio run by run.

Each round runs, one right after the other from /tmp: the floor (`baselines.py floor`), the
base version's `diff --format json` (a tree of `diffreport/` and `templates/` on
`PYTHONPATH`), this checkout's, for real-1m, real-2m and unrelated-1m (`bench/work/inputs/`,
built by `bench/run.py`), and this checkout's `brief` at real-1m; it prints wall times, the
ratios to the floor and whether both JSON outputs are the same bytes:

    git archive COMMIT diffreport templates | tar -x -C /tmp/base
    python bench/alternate.py /tmp/base [ROUNDS]

On a shared machine only ratios within a round mean anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inputs import ROOT, WORK  # noqa: E402

PAIRS = ("real-1m", "real-2m", "unrelated-1m")


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd="/tmp")
    return time.perf_counter() - start


def main() -> None:
    base = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    python = sys.executable
    env_base = dict(os.environ, PYTHONPATH=base)
    env_here = dict(os.environ, PYTHONPATH=str(ROOT))
    out = Path(tempfile.mkdtemp())
    # Both trees compiled first: where PYTHONDONTWRITEBYTECODE is set (a fresh `git archive`
    # tree has no __pycache__), each cold run would otherwise compile its tree from source.
    for tree in (Path(base), ROOT):
        subprocess.run([python, "-m", "compileall", "-q", str(tree / "diffreport")], check=True)
    for r in range(rounds):
        load = os.getloadavg()[0]
        print(f"round {r + 1} {time.strftime('%H:%M:%S', time.gmtime())} load {load:.2f}")
        for name in PAIRS:
            old, new = str(WORK / f"{name}.old.md"), str(WORK / f"{name}.new.md")
            floor = _wall(
                [python, str(ROOT / "bench" / "baselines.py"), "floor", old, new], env_here
            )
            walls = {}
            for label, env in (("base", env_base), ("here", env_here)):
                diff = [python, "-m", "diffreport", "diff", old, new, "--format", "json"]
                walls[label] = _wall([*diff, "-o", str(out / f"{label}.json")], env)
            same = (out / "base.json").read_bytes() == (out / "here.json").read_bytes()
            line = f"  {name}: floor {floor:.2f}" + "".join(
                f" {label} {w:.2f} ({w / floor:.1f}x)" for label, w in walls.items()
            )
            line += f" same={same}"
            if name == "real-1m":
                brief = [python, "-m", "diffreport", "brief", old, new, "-o", str(out / "b.docx")]
                wall = _wall(brief, env_here)
                line += f" brief {wall:.2f} ({wall / walls['here']:.2f}x json)"
            print(line, flush=True)


if __name__ == "__main__":
    main()
