"""CPU time of each comparison stage, in process: for speed-ups measured on a shared machine.

`diffreport diff --profile` prints wall time per stage, which says little while other work
runs on the machine. This compares one input pair of `bench/work/inputs/` once (after a
warm-up on the seed pair: imports, jieba's dictionary, the IDF table), with the collector
paused as the CLI pauses it and the side facts found in process (`workers=1`), and prints
each stage's CPU milliseconds (`time.process_time`):

    python bench/stage_cpu.py real-1m [LABEL]

To compare two versions, run it alternately with each on `PYTHONPATH` (one process per run:
the per-text caches of one run must not serve the next).
"""

from __future__ import annotations

import gc
import importlib
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inputs import ROOT, SEEDS  # noqa: E402

# the module (the package exports its function `compare` under the same name)
compare_module = importlib.import_module("diffreport.compare")


@contextmanager
def _cpu_timed(timings: dict[str, float], stage: str):
    start = time.process_time()
    yield
    timings[stage] = timings.get(stage, 0.0) + time.process_time() - start


def main() -> None:
    name = sys.argv[1]
    label = sys.argv[2] if len(sys.argv) > 2 else ""
    gc.disable()
    compare_module._timed = _cpu_timed
    compare_module.compare(SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt")
    inputs = ROOT / "bench" / "work" / "inputs"
    old = compare_module.load(inputs / f"{name}.old.md")
    new = compare_module.load(inputs / f"{name}.new.md")
    result = compare_module.compare(old, new, workers=1)
    stages = " ".join(f"{k}={v * 1000:.0f}" for k, v in result.timings.items() if k != "parse")
    print(f"{label} {name} {stages} (CPU ms)".strip())


if __name__ == "__main__":
    main()
