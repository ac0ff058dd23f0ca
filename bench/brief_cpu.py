"""The Word briefing writer's CPU time in process: one comparison, then ``docx_brief.render``
timed ``--runs`` times (``time.process_time``; the first run is a cold process's, later ones
reuse what a process caches). For A/B runs on a shared machine, where wall time says little:

    .venv/bin/python bench/brief_cpu.py bench/work/inputs/real-1m.old.md \\
        bench/work/inputs/real-1m.new.md --runs 3
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")  # the same bytes each run

    from diffreport.compare import compare
    from diffreport.readers import read
    from diffreport.writers import docx_brief

    gc.disable()  # as the CLI: a comparison's objects hold almost no cycles
    c = compare(read(args.old), read(args.new))
    gc.freeze()
    times, digest = [], ""
    for _ in range(args.runs):
        start = time.process_time()
        data = docx_brief.render(c)
        times.append(time.process_time() - start)
        digest = hashlib.sha256(data).hexdigest()[:12]
    print("render CPU s:", " ".join(f"{t:.3f}" for t in times), f"(sha256 {digest})")


if __name__ == "__main__":
    main()
