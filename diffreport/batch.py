"""Many comparisons at once: one process per core, one JSON per pair, and an index.

``diffreport batch PAIRS.csv --out DIR`` is a thin layer over :func:`run`. Each worker
process loads jieba once and then compares pair after pair, so throughput grows with the
number of cores; a pair that fails is reported in the index and does not stop the others.
"""

from __future__ import annotations

import gc
import os
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

INDEX_SCHEMA = "diffreport-batch/1"


@dataclass(frozen=True, slots=True)
class Job:
    number: int
    old: str
    new: str
    output: str
    max_bytes: int | None = None


def output_name(number: int, old: str, new: str) -> str:
    """`0007-plan-2024--plan-2025.json`: numbered (two rows may name the same files) and
    readable, with only safe characters."""

    def stem(path: str) -> str:
        return re.sub(r"[^\w.-]+", "_", Path(path).stem)[:60] or "x"

    return f"{number:04d}-{stem(old)}--{stem(new)}.json"


def jobs(rows: Iterable[tuple[str, str]], out_dir: Path, max_bytes: int | None) -> list[Job]:
    return [
        Job(i, old, new, str(out_dir / output_name(i, old, new)), max_bytes)
        for i, (old, new) in enumerate(rows, 1)
    ]


def compare_one(job: Job) -> dict:
    """Compare one pair and write its JSON; the index entry (never raises for bad input)."""
    from .compare import compare
    from .errors import DiffreportError
    from .readers import read
    from .writers.output import check_output_path, write_atomic

    start = time.perf_counter()
    entry: dict = {"old": job.old, "new": job.new}
    # As the CLI does: a comparison builds millions of objects and almost no cycles, so the
    # cyclic collector only costs time while it runs; it runs again between pairs.
    collecting = gc.isenabled()
    gc.disable()
    try:
        out = check_output_path(job.output, [job.old, job.new])
        old, new = read(job.old, max_bytes=job.max_bytes), read(job.new, max_bytes=job.max_bytes)
        # One thread per worker: the processes already use every core.
        result = compare(old, new, workers=1)
        write_atomic(out, result.to_json_bytes())
    except DiffreportError as exc:
        entry.update(status="error", error=str(exc))
    except (MemoryError, RecursionError) as exc:
        entry.update(status="error", error=f"input too large or too deeply nested ({exc!r})")
    else:
        entry.update(
            status="ok",
            output=Path(job.output).name,
            same=result.same,
            summary={level: dict(result.counts(level)) for level in ("section", "block")},
        )
    finally:
        if collecting:
            gc.enable()
    entry["seconds"] = round(time.perf_counter() - start, 3)
    return entry


def run(
    todo: list[Job], workers: int | None = None, progress: Callable[[dict], None] | None = None
) -> list[dict]:
    """Index entries in the order of ``todo``; ``progress`` is called as each pair ends."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    entries: dict[int, dict] = {}
    if workers == 1:
        for job in todo:
            entries[job.number] = compare_one(job)
            if progress:
                progress(entries[job.number])
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(compare_one, job): job for job in todo}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    entry = future.result()
                except Exception as exc:  # a worker crashed: report the pair, keep going
                    entry = {"old": job.old, "new": job.new, "status": "error", "error": repr(exc)}
                entries[job.number] = entry
                if progress:
                    progress(entry)
    return [entries[job.number] for job in todo]
