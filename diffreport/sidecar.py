"""Work that needs only the parsed documents, done beside the comparison on a second core.

A forked child (:class:`Staged`) inherits the documents for nothing (copy-on-write) and
sends back only its results, small next to them (the words of the old document's first nodes,
a side's figures and keywords), through a pipe, each as soon as it is found; the parent
profiles and aligns meanwhile. Where a fork is unsafe or cannot pay (:func:`can_fork`: no
``fork`` or not Linux, one core available, ``workers=1`` — batch and history already fill the
cores —, other Python threads running, whose locks the child would inherit held, or documents
too small to be worth a process) the caller does the work in process. Whatever goes wrong in
the child, the parent computes the results itself: the output is the same either way.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

# The side work costs ~0.5 ms a thousand characters (0.2 s at 390,000, 10 ms at 25,000); a fork
# and its reaping ~5 ms, plus the pages the parent copies while the child lives. From here on
# (~0.1 s of work) the gain clearly outweighs a second process; below, one process serves.
FORK_MIN_CHARS = 200_000


def can_fork(chars: int, workers: int | None) -> bool:
    """Whether a forked child may do side work for a comparison of ``chars`` characters."""
    if workers == 1 or chars < FORK_MIN_CHARS:
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    if threading.active_count() != 1:
        return False
    return len(os.sched_getaffinity(0)) >= 2


# The signals that stop a comparison: Ctrl-C, a stop, a closed terminal.
_STOPS = {
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
}


def _fork(work: Callable[[int], None]) -> tuple[int, int] | None:
    """A child running ``work(pipe)`` (what it sends, written to ``pipe``) and ending without
    running the parent's exit code: (its pid, the pipe's read end), or None when no process
    could be made."""
    read_end, write_end = os.pipe()
    # Stops are held back across the fork, so that one arriving at once reaches the
    # child only once its own handling (below) is in place, and the parent's after it.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns of forking beside threads; the ones here are native
            # (numpy's BLAS pool, idle, which re-forms after a fork), and the child
            # runs only Python code that takes no lock they hold.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:  # no memory or process slot: do the work here instead
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: compute, send, end without running the parent's exit code
        os.close(read_end)
        status = 0
        try:
            # Ctrl-C and a stop are the parent's to report and clean up after: here they
            # only end the process (the parent's handlers would run its clean-up twice).
            for signum in _STOPS:
                signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            gc.disable()  # the inherited heap holds few cycles; scanning it copies pages
            work(write_end)
        except BaseException:
            status = 1  # the parent sees a short read and computes the result itself
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(write_end)
    return pid, read_end


def _write(pipe: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(pipe, view) :]


def _read(pipe: int, size: int) -> bytes | None:
    """Exactly ``size`` bytes from ``pipe``, or None if it ends (or fails) first."""
    chunks = []
    try:
        while size > 0:
            chunk = os.read(pipe, min(size, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            size -= len(chunk)
    except OSError:
        return None
    return b"".join(chunks)


class Staged(Generic[T]):
    """The values of the generator ``fn(*args)``, computed one after another in a child
    forked at once and sent as each is ready, read here in turn by :meth:`next` (the first
    can arrive long before the last is computed). Forked before the parent's heap grows
    (once the documents are parsed, which it then shares), neither process copies many pages
    of the other's. Whatever goes wrong in the
    child, the parent computes the values it still needs itself (the generator run here).
    Use it as a context manager: leaving the block ends a child whose values were not all
    asked for (the comparison failed), so none is left behind in a long-running host."""

    def __init__(self, fn: Callable[..., Iterator[T]], *args: object) -> None:
        self._fn, self._args = fn, args
        self._here: Iterator[T] | None = None  # the generator run here, once the child failed
        self._taken = 0
        self._skipped = 0  # values passed over, still to be read from the pipe and dropped
        self._pid: int | None = None
        self._pipe: int | None = None
        started = _fork(self._send)
        if started is not None:
            self._pid, self._pipe = started

    def _send(self, pipe: int) -> None:
        """In the child: each value pickled and written after its length (8 bytes)."""
        values = self._fn(*self._args)
        for value in values:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            del value  # (not held while the next one is computed)
            _write(pipe, len(data).to_bytes(8, "little"))
            _write(pipe, data)
            del data

    def next(self) -> T:
        """The next value: the child's when it sent one, else computed here."""
        self._taken += 1
        if self._here is None and self._pipe is not None:
            data = None
            if self._drop_skipped():
                head = _read(self._pipe, 8)
                data = _read(self._pipe, int.from_bytes(head, "little")) if head else None
            if data is not None:
                try:
                    return pickle.loads(data)
                except Exception:  # a garbled message: computed here
                    pass
            self._close(kill=True)
        if self._here is None:
            self._here = self._fn(*self._args)
            for _ in range(self._taken - 1):  # the values the child sent
                next(self._here)
        return next(self._here)

    def ready(self) -> bool:
        """Whether the next value can be read without waiting for the child to find it (its
        first bytes are there): a caller that can do without it may :meth:`skip` it."""
        if self._here is not None or self._pipe is None or self._skipped:
            return False
        return bool(select.select([self._pipe], [], [], 0)[0])

    def skip(self) -> None:
        """Passes over the next value without waiting for it: the child's is read and dropped
        (not unpickled) when a later value is asked for; run here, it is computed in order."""
        self._taken += 1
        if self._here is not None:
            next(self._here)
        elif self._pipe is not None:
            self._skipped += 1

    def _drop_skipped(self) -> bool:
        """Reads and drops the values passed over; False if the pipe ended first."""
        while self._skipped:
            head = _read(self._pipe, 8) if self._pipe is not None else None
            if head is None or _read(self._pipe, int.from_bytes(head, "little")) is None:
                return False
            self._skipped -= 1
        return True

    def _close(self, kill: bool) -> None:
        pipe, pid = self._pipe, self._pid
        self._pipe = self._pid = None
        self._skipped = 0
        if pipe is not None:
            os.close(pipe)
        if pid is None:
            return
        if kill:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass

    def __enter__(self) -> Staged[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close(kill=True)
