"""Many comparisons at once: one process per core, one JSON per pair, and an index.

``diffreport batch PAIRS.csv --out DIR`` is a thin layer over :func:`run`. Each worker
process loads jieba once and then compares pair after pair, so throughput grows with the
number of cores. A pair that fails for any reason is an ``error`` entry in the index and the
others go on: bad input, a bug, and a worker process that dies (killed, out of memory, a crash
in C code) — its pair is reported and a new worker takes over.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import os
import re
import signal
import stat
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Interrupted, one_line, printable

INDEX_SCHEMA = "diffreport-batch/1"
# How long a stopped worker gets to remove its temporary file before it is killed.
_STOP_GRACE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Job:
    number: int
    old: str
    new: str
    output: str
    max_bytes: int | None = None
    key: str = ""  # the inputs' content and the tool version (see content_key); "" unknown


def parse_pairs(text: str, name: str) -> list[tuple[str, str]]:
    """The ``old,new`` rows of a CSV (a header row ``old,new`` is optional)."""
    # A path may be long, but no field can be longer than the whole text: csv's default
    # limit (128 KB) would make a long row an error about the csv module.
    earlier = csv.field_size_limit()
    csv.field_size_limit(max(earlier, len(text) + 1))
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise InputError(
            name, f"is not a CSV file ({exc})", "write one old,new pair per row"
        ) from None
    finally:
        csv.field_size_limit(earlier)
    if rows and [c.strip().lower() for c in rows[0][:2]] == ["old", "new"]:
        rows = rows[1:]
    bad = next((i for i, r in enumerate(rows, 1) if len(r) < 2), None)
    if bad is not None or not rows:
        where = f"row {bad} has one column" if bad else "no pairs"
        raise InputError(name, where, "write one old,new pair of paths per row")
    return [(r[0].strip(), r[1].strip()) for r in rows]


def output_name(number: int, old: str, new: str) -> str:
    """`0007-plan-2024--plan-2025.json`: numbered (two rows may name the same files) and
    readable, with only safe characters."""

    def stem(path: str) -> str:
        return re.sub(r"[^\w.-]+", "_", Path(path).stem)[:60] or "x"

    return f"{number:04d}-{stem(old)}--{stem(new)}.json"


def jobs(rows: Iterable[tuple[str, str]], out_dir: Path, max_bytes: int | None) -> list[Job]:
    return [
        Job(i, str(old), str(new), str(out_dir / output_name(i, str(old), str(new))), max_bytes)
        for i, (old, new) in enumerate(rows, 1)
    ]


def _entry(job: Job) -> dict:
    # Names as the terminal may show them and JSON can hold (a name's bytes that are not
    # UTF-8 are written \xNN).
    entry = {"row": job.number, "old": printable(job.old), "new": printable(job.new)}
    if job.key:
        entry["key"] = job.key
    return entry


def error_entry(job: Job, error: str) -> dict:
    return {**_entry(job), "status": "error", "error": one_line(error)}


def _internal_error(exc: Exception) -> str:
    return f"internal error: {type(exc).__name__}: {exc}; this is a bug, please report it"


def compare_one(job: Job) -> dict:
    """Compare one pair and write its JSON; the index entry (never raises for a failed pair)."""
    from .readers import read
    from .writers.output import check_output_path

    def inputs():
        for path in (job.old, job.new):
            if "\0" in path:
                raise InputError(path, "has a NUL character in its name", "fix the row")
        check_output_path(job.output, [job.old, job.new])  # before the work, not after
        return read(job.old, max_bytes=job.max_bytes), read(job.new, max_bytes=job.max_bytes)

    entry, data = compare_pair(job, inputs)
    return entry if data is None else write_pair(job, entry, data)


def compare_shipped(job: Job, old: bytes, new: bytes) -> tuple[dict, bytes | None]:
    """Compare a pair from its files' bytes (``batch --ship-inputs``: the worker need not see
    the files); the entry and the JSON, which the caller writes with :func:`write_pair`."""
    from .readers import read_bytes

    return compare_pair(job, lambda: (read_bytes(old, job.old), read_bytes(new, job.new)))


def compare_pair(job: Job, inputs: Callable[[], tuple]) -> tuple[dict, bytes | None]:
    """The index entry and the JSON (None on failure) of one pair read by ``inputs``."""
    from .compare import compare
    from .errors import DiffreportError

    start = time.perf_counter()
    entry = _entry(job)
    data = None
    # As the CLI does: a comparison builds millions of objects and almost no cycles, so the
    # cyclic collector only costs time while it runs; it runs again between pairs.
    collecting = gc.isenabled()
    gc.disable()
    try:
        old, new = inputs()
        # One thread per worker: the processes already use every core.
        result = compare(old, new, workers=1)
        data = result.to_json_bytes()
    except DiffreportError as exc:
        entry.update(status="error", error=str(exc))
    except (MemoryError, RecursionError) as exc:
        entry.update(status="error", error=f"input too large or too deeply nested ({exc!r})")
    except Exception as exc:  # a bug: this pair's error, not the batch's end
        entry.update(status="error", error=one_line(_internal_error(exc)))
    else:
        targets = Counter(t.change for t in result.targets)
        entry.update(
            status="ok",
            output=Path(job.output).name,
            same=result.same,
            summary={level: dict(result.counts(level)) for level in ("section", "block")},
            titles=[result.old.title, result.new.title],
            genre=result.new.genre,
            moved=sum(a.moved for a in result.at("block")),
            targets={"raised": targets["raised"], "lowered": targets["lowered"]},
        )
    finally:
        if collecting:
            gc.enable()
    entry["seconds"] = round(time.perf_counter() - start, 3)
    return entry, data


def write_pair(job: Job, entry: dict, data: bytes) -> dict:
    """Write a pair's JSON (atomically); a failed write makes the entry an error."""
    from .errors import DiffreportError
    from .writers.output import check_output_path, write_output

    try:
        write_output(check_output_path(job.output, [job.old, job.new]), data)
    except DiffreportError as exc:
        return {**_entry(job), "status": "error", "error": str(exc), "seconds": entry["seconds"]}
    return entry


# --- resuming ------------------------------------------------------------------------------
# A pair is done when the index of an earlier run in the same folder lists it `ok` under the
# same key and its JSON is still there: the same bytes in, the same version, the same JSON out.

SUMMARY_COLUMNS = (
    "old", "new", "status", "old_title", "new_title", "genre", "unchanged", "changed",
    "new_units", "dropped", "moved", "targets_raised", "targets_lowered", "seconds", "error",
)  # fmt: skip


def content_key(job: Job) -> str:
    """SHA-256 over the tool version and both inputs' bytes; "" when a file cannot be read
    (the pair then runs and says why)."""
    from . import __version__
    from .errors import DiffreportError
    from .readers import max_input_bytes

    digest = hashlib.sha256(f"diffreport {__version__}\n".encode())
    try:
        for path in (job.old, job.new):
            # Only a regular file within the size limit: a FIFO would block and /dev/zero
            # never ends (the pair itself then runs, and the reader says what is wrong).
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode) or st.st_size > (job.max_bytes or max_input_bytes()):
                return ""
            with open(path, "rb") as fh:
                digest.update(hashlib.file_digest(fh, "sha256").digest())
    except (OSError, ValueError, DiffreportError):
        return ""
    return digest.hexdigest()


def keyed(todo: list[Job]) -> list[Job]:
    from dataclasses import replace

    return [replace(job, key=content_key(job)) for job in todo]


def resume(todo: list[Job], out_dir: Path) -> tuple[dict[int, dict], list[Job]]:
    """Entries of pairs an earlier run finished (by job number), and the jobs still to do."""
    try:
        earlier = json.loads((out_dir / "index.json").read_bytes())
        pairs = earlier["pairs"] if earlier.get("schema") == INDEX_SCHEMA else []
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pairs = []
    done = {
        e["key"]: e
        for e in pairs
        if isinstance(e, dict) and e.get("status") == "ok" and e.get("key") and e.get("output")
    }
    kept: dict[int, dict] = {}
    remaining: list[Job] = []
    for job in todo:
        entry = done.get(job.key) if job.key else None
        if entry is None or not _reuse(out_dir / entry["output"], Path(job.output)):
            remaining.append(job)
            continue
        kept[job.number] = {**entry, "output": Path(job.output).name, "resumed": True}
    return kept, remaining


def _reuse(earlier: Path, now: Path) -> bool:
    """The earlier JSON, under this run's name for the pair (rows may have moved)."""
    if not earlier.is_file():
        return False
    if earlier != now:
        from .writers.output import write_output

        write_output(now, earlier.read_bytes())
    return True


def summary_csv(entries: list[dict]) -> bytes:
    """One row per pair: who, what genre, how much changed, how long it took."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for e in entries:
        block = e.get("summary", {}).get("block", {})
        titles = e.get("titles") or ["", ""]
        targets = e.get("targets") or {}
        writer.writerow(
            [e.get("old", ""), e.get("new", ""), e.get("status", ""), titles[0], titles[1]]
            + [e.get("genre", ""), block.get("unchanged", 0), block.get("changed", 0)]
            + [block.get("new", 0), block.get("dropped", 0), e.get("moved", 0)]
            + [targets.get("raised", 0), targets.get("lowered", 0), e.get("seconds", "")]
            + [e.get("error", "")]
        )
    # A BOM so that Excel reads the Chinese titles as UTF-8.
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


# --- worker processes ----------------------------------------------------------------------
# Each worker takes one pair at a time over its own pipe, so the parent always knows which
# pair a worker that died was comparing (a process pool fails every pair it holds).

_busy = False


def _worker_stop(signum: int, frame: object) -> None:
    if _busy:
        raise Interrupted(signum)  # unwinds the pair: its temporary output file is removed
    os._exit(128 + signum)


def _serve(conn) -> None:
    """A worker: Ctrl-C is the parent's to handle (it stops the workers); SIGTERM and SIGHUP
    stop the pair in hand cleanly."""
    global _busy
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_stop)
    if hasattr(signal, "SIGHUP"):  # not on Windows
        signal.signal(signal.SIGHUP, _worker_stop)
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the parent is gone
            return
        if job is None:
            return
        _busy = True
        try:
            entry = compare_one(job)
        except Interrupted as stop:
            os._exit(128 + stop.signum)
        except Exception as exc:  # compare_one reports its own; anything else is a bug too
            entry = error_entry(job, _internal_error(exc))
        finally:
            _busy = False
        conn.send(entry)


class _Worker:
    def __init__(self, context) -> None:
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()
        self.job: Job | None = None

    def give(self, job: Job) -> None:
        self.job = job
        self.conn.send(job)

    def death(self) -> str:
        self.process.join(1)
        code = self.process.exitcode
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            how = f"was killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
        else:
            how = f"stopped (exit status {code})"
        return f"the worker process comparing this pair {how}; try the pair alone with diff"

    def stop(self) -> None:
        """Ask an idle worker to end, stop a busy one (it removes its temporary file)."""
        try:
            if self.job is None:
                self.conn.send(None)
            elif self.process.is_alive():
                self.process.terminate()
        except OSError:
            pass


def run(
    todo: list[Job], workers: int | None = None, progress: Callable[[dict], None] | None = None
) -> list[dict]:
    """Index entries in the order of ``todo``; ``progress`` is called as each pair ends."""
    import multiprocessing
    from multiprocessing.connection import wait

    count = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    entries: dict[int, dict] = {}
    pending = deque(todo)
    context = multiprocessing.get_context()
    pool: list[_Worker] = []

    def done(job: Job, entry: dict) -> None:
        entries[job.number] = entry
        if progress:
            progress(entry)

    def give_next(worker: _Worker) -> None:
        worker.job = None
        if pending:
            worker.give(pending.popleft())

    try:
        for _ in range(min(count, len(todo))):
            pool.append(_Worker(context))
            give_next(pool[-1])
        while any(w.job for w in pool):
            busy = [w for w in pool if w.job]
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for i, worker in enumerate(pool):
                if worker.job is None or not (
                    worker.conn in ready or worker.process.sentinel in ready
                ):
                    continue
                job = worker.job
                try:
                    entry = worker.conn.recv()
                except (EOFError, OSError):
                    done(job, error_entry(job, worker.death()))
                    worker.conn.close()
                    pool[i] = worker = _Worker(context)
                    give_next(worker)
                    continue
                done(job, entry)
                give_next(worker)
    finally:
        for worker in pool:
            worker.stop()
        deadline = time.monotonic() + _STOP_GRACE_SECONDS
        for worker in pool:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
    return [entries[job.number] for job in todo]
