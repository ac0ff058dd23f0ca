"""Where a forked comparison's two processes work and wait: a timeline of one compare().

Runs ``compare(OLD, NEW)`` in this process (as the CLI does: the collector paused, the JSON's
``meanwhile`` hook with ``--json``, a Word writer's set-up with ``--brief``) and prints each
stage's time, then every hand-off the parent makes with the side child (``next``, ``skip``,
``tell``: start -> end in ms since the start; a long ``next`` is the parent waiting) and what
the child computed when (each value it sends: start -> end; a run of the steps between which it
polls whether it is told, ``sidecar.POLL``, as one line). Where each process idles is the
first thing to look at before moving work between them (docs/performance.md):

    python bench/timeline.py bench/work/inputs/real-2m.old.md bench/work/inputs/real-2m.new.md --json

It wraps the side child's generator and the sidecar's methods, so it reads internals: a
development tool, not part of the package.
"""

from __future__ import annotations

import gc
import importlib
import sys
import tempfile
import time
from pathlib import Path

from diffreport import beside, sidecar

START = time.perf_counter()


def _ms() -> float:
    return (time.perf_counter() - START) * 1000


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit("usage: python bench/timeline.py OLD NEW [--json | --brief]")
    child_log = Path(tempfile.mkstemp(prefix="timeline-child-")[1])
    parent_log: list[str] = []
    sent_by_child = beside._beside

    def logged(*documents):  # the child's generator, each value timed (in the child)
        values = sent_by_child(*documents)
        with child_log.open("w") as out:
            told, k, first = None, 0, True
            polls, polled_from = 0, 0.0  # a run of POLLs (steps of work between) is one line

            def write(line: str) -> None:
                out.write(line + "\n")
                out.flush()

            while True:
                start = _ms()
                try:
                    value = next(values) if first else values.send(told)
                except StopIteration:
                    return
                first = False
                if value is sidecar.POLL:
                    polls, polled_from = polls + 1, polled_from if polls else start
                    told = yield value
                    continue
                if polls:
                    write(
                        f"child  {polled_from:8.1f} -> {start:8.1f}  polled {polls}× between steps"
                    )
                    polls = 0
                kind = "ASK" if value is sidecar.ASK else type(value).__name__
                write(f"child  {start:8.1f} -> {_ms():8.1f}  value {k} ({kind})")
                told = yield value
                k += 1

    beside._beside = logged
    for name in ("next", "skip", "tell"):
        method = getattr(sidecar.Staged, name)

        def timed(self, *a, _method=method, _name=name):
            start = _ms()
            out = _method(self, *a)
            parent_log.append(f"parent {start:8.1f} -> {_ms():8.1f}  {_name}")
            return out

        setattr(sidecar.Staged, name, timed)
    meanwhile = None
    if "--json" in sys.argv:
        from diffreport.result import json_parts_ahead as meanwhile
    elif "--brief" in sys.argv:
        from diffreport.cli import _writer_setup

        meanwhile = _writer_setup("brief", "auto")
    gc.disable()
    compare = importlib.import_module("diffreport.compare").compare
    c = compare(Path(args[0]), Path(args[1]), meanwhile=meanwhile)
    for stage, seconds in c.timings.items():
        print(f"{stage:>14}: {seconds * 1000:8.1f} ms")
    print(f"{'end':>14}: {_ms():8.1f} ms since the start")
    print("\n".join(parent_log))
    print(child_log.read_text(), end="")
    child_log.unlink()


if __name__ == "__main__":
    main()
