"""Work that needs only the parsed documents, done beside the comparison on a second core.

A forked child inherits the documents for nothing (copy-on-write) and sends back only its
result, small next to them (a side's figures and keywords), through a pipe; the parent aligns
meanwhile. Where a fork is unsafe or cannot pay — no ``fork`` (or not Linux), one core
available, ``workers=1`` (batch and history already fill the cores), other Python threads
running (the child would inherit their locks, held, without the threads), or documents too
small to be worth a process — the work runs in this process when its result is first asked
for. Whatever goes wrong in the child, the parent computes the result itself: the output is
the same either way.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
import warnings
from collections.abc import Callable
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


class Deferred(Generic[T]):
    """``fn(*args)``, computed in a forked child when ``fork`` is true, else when asked for.

    Use it as a context manager: leaving the block reaps a child whose result was not asked
    for (the comparison failed), so none is left behind in a long-running host."""

    def __init__(self, fn: Callable[..., T], *args: object, fork: bool) -> None:
        self._fn, self._args = fn, args
        self._pid: int | None = None
        self._pipe: int | None = None
        if fork:
            self._start()

    def _start(self) -> None:
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
            return
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
                data = pickle.dumps(self._fn(*self._args), protocol=pickle.HIGHEST_PROTOCOL)
                view = memoryview(data)
                while view:
                    view = view[os.write(write_end, view) :]
            except BaseException:
                status = 1  # the parent sees a short read and computes the result itself
            finally:
                os._exit(status)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(write_end)
        self._pid, self._pipe = pid, read_end

    def result(self) -> T:
        """The result: the child's when it sent one, else computed here."""
        if self._pipe is None:
            return self._fn(*self._args)
        chunks = []
        try:
            while chunk := os.read(self._pipe, 1 << 20):
                chunks.append(chunk)
        except OSError:
            chunks = []
        ok = self._reap() == 0 and chunks
        if ok:
            try:
                return pickle.loads(b"".join(chunks))
            except Exception:  # a truncated or garbled message: compute it here
                pass
        return self._fn(*self._args)

    def _reap(self, kill: bool = False) -> int:
        """Close the pipe and wait for the child; its exit status (-1 if unknown)."""
        pipe, pid = self._pipe, self._pid
        self._pipe = self._pid = None
        if pipe is not None:
            os.close(pipe)
        if pid is None:
            return -1
        if kill:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return -1
        return os.waitstatus_to_exitcode(status)

    def __enter__(self) -> Deferred[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pid is not None:
            self._reap(kill=True)
