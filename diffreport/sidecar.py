"""Work done beside the parent on a second core, in a forked child.

A forked child (:class:`Staged`) inherits the parent's data for nothing (copy-on-write) and
sends back only its results, small next to them (in a comparison: the words of each
document's first nodes, the words' weights, the pairings' reading order, the figures'
changes, the terms' shifts; in the briefing: the appendix's paragraphs), through a pipe, each
as soon as it is found; the parent works on meanwhile, and tells the child through a second
pipe what its later work needs of the parent's (the pairings, the alignments). Where a fork
is unsafe or cannot pay (:func:`can_fork`: no ``fork`` or not Linux, one core available,
``workers=1`` — batch and history already fill the cores —, other Python threads running,
whose locks the child would inherit held, or documents too small to be worth a process) the
caller does the work in process. Whatever goes wrong in the child, the parent computes the results itself:
the output is the same either way.
"""

from __future__ import annotations

import gc
import marshal
import os
import pickle
import queue
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


def _fork(work: Callable[[int, int], None]) -> tuple[int, int, int] | None:
    """A child running ``work(out, into)`` (what it sends written to the pipe ``out``, what it
    is told read from the pipe ``into``) and ending without running the parent's exit code:
    (its pid, the read end of ``out``, the write end of ``into``), or None when no process
    could be made."""
    read_end, write_end = os.pipe()
    told_end, tell_end = os.pipe()
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
        for end in (read_end, write_end, told_end, tell_end):
            os.close(end)
        return None
    if pid == 0:  # the child: compute, send, end without running the parent's exit code
        os.close(read_end)
        os.close(tell_end)
        status = 0
        try:
            # Ctrl-C and a stop are the parent's to report and clean up after: here they
            # only end the process (the parent's handlers would run its clean-up twice).
            for signum in _STOPS:
                signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            gc.disable()  # the inherited heap holds few cycles; scanning it copies pages
            work(write_end, told_end)
        except BaseException:
            status = 1  # the parent sees a short read and computes the result itself
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(write_end)
    os.close(told_end)
    return pid, read_end, tell_end


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


def _write_all(pipe: int, outbox: queue.SimpleQueue[bytes | None]) -> None:
    """Writes each message of ``outbox`` to ``pipe`` after its length (8 bytes), until None
    (or until the pipe fails: the parent has gone)."""
    while (data := outbox.get()) is not None:
        try:
            _write(pipe, len(data).to_bytes(8, "little"))
            _write(pipe, data)
        except OSError:
            return


def _read_message(pipe: int) -> bytes | None:
    """The pickled bytes of the next message on ``pipe``, or None if it ends first."""
    head = _read(pipe, 8)
    return _read(pipe, int.from_bytes(head, "little")) if head else None


# marshal's format without references: lists and strings written as they come (pickle's memo
# of each one, and marshal's references to interned strings, cost three times as much for
# tens of thousands of tuples of node ids). Parent and child run the same Python.
MARSHAL_VERSION = 2


def _dumps_told(message: object) -> bytes:
    """A message told, as bytes: by marshal when it holds only built-in values, else pickled
    (a first byte says which)."""
    try:
        return b"m" + marshal.dumps(message, MARSHAL_VERSION)
    except ValueError:
        return b"p" + pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _loads_told(data: bytes) -> object:
    return marshal.loads(data[1:]) if data[:1] == b"m" else pickle.loads(data[1:])


class _Ask:
    """The value a staged generator yields to be sent what the parent tells it next (see
    :meth:`Staged.tell`); one object, the same in the child, forked from this process."""

    def __repr__(self) -> str:
        return "ASK"


ASK = _Ask()


class _Poll:
    """The value a staged generator yields to learn whether the parent has told it what its
    next :data:`ASK` will be answered with (True), so that it stops work it does only while
    it waits (work whose values are the same whenever it stops); run here (the child
    failed), always True: what is told is there."""

    def __repr__(self) -> str:
        return "POLL"


POLL = _Poll()
_UNTOLD = object()


def _answered(
    values: Iterator[T], told: Callable[[], object], waiting: Callable[[], bool]
) -> Iterator[T]:
    """The values of a staged generator, each :data:`ASK` answered by ``told()`` (what the
    parent tells it next) and each :data:`POLL` by ``waiting()`` (whether that is there),
    neither passed on."""
    answer: object = None
    while True:
        try:
            value = values.send(answer)
        except StopIteration:
            return
        answer = None
        if value is ASK:
            answer = told()
        elif value is POLL:
            answer = waiting()
        else:
            yield value
            value = None  # (not held while the next one is computed)


class Staged(Generic[T]):
    """The values of the generator ``fn(*args)``, computed one after another in a child
    forked at once and sent as each is ready, read here in turn by :meth:`next` (the first
    can arrive long before the last is computed). Where the generator yields :data:`ASK`, it
    is sent the next message the parent gives :meth:`tell` (what later values need of the
    parent's work); where it yields :data:`POLL`, whether that message is there. Forked
    before the parent's heap grows (once the documents are parsed, which it then shares),
    neither process copies many pages of the other's. Whatever goes wrong in the child, the
    parent computes the values it still needs itself (the generator run here, answered with
    the same messages). Use it as a context manager: leaving the block ends a child whose
    values were not all asked for (the comparison failed), so none is left behind in a
    long-running host."""

    def __init__(self, fn: Callable[..., Iterator[T]], *args: object) -> None:
        self._fn, self._args = fn, args
        self._here: Iterator[T] | None = None  # the generator run here, once the child failed
        self._taken = 0
        self._told: list[object] = []  # every message told, for the generator run here
        self._dropping: threading.Thread | None = None  # reads and drops a value passed over
        self._drop_failed = False
        self._telling: threading.Thread | None = None  # writes the last message told
        self._pid: int | None = None
        self._pipe: int | None = None  # the child's values
        self._tell: int | None = None  # the parent's messages
        started = _fork(self._send)
        if started is not None:
            self._pid, self._pipe, self._tell = started

    def _send(self, pipe: int, told: int) -> None:
        """In the child: each value pickled and written after its length (8 bytes), on a
        thread: a pipe holds 64 KB, and a value waits there until the parent asks for it (the
        words' weights, sent early, once it has aligned), while the next ones are computed."""

        def read_told() -> object:
            data = _read_message(told)
            if data is None:  # the parent closed the pipe: it needs nothing more
                raise EOFError
            return _loads_told(data)

        def waiting() -> bool:
            return bool(select.select([told], [], [], 0)[0])

        outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        writer = threading.Thread(target=_write_all, args=(pipe, outbox), daemon=True)
        writer.start()
        try:
            for value in _answered(self._fn(*self._args), read_told, waiting):
                outbox.put(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
                del value  # (not held while the next one is computed)
        finally:  # (what was found is sent, also when the next value fails)
            outbox.put(None)
            writer.join()

    def _run_here(self) -> Iterator[T]:
        told = iter(self._told)

        def read_told() -> object:
            message = next(told, _UNTOLD)
            if message is _UNTOLD:
                raise LookupError("the generator asked for a message it was not told")
            return message

        return _answered(self._fn(*self._args), read_told, lambda: True)

    def next(self) -> T:
        """The next value: the child's when it sent one, else computed here."""
        self._taken += 1
        if self._here is None and self._pipe is not None:
            data = _read_message(self._pipe) if self._dropped() and self._pipe else None
            if data is not None:
                try:
                    return pickle.loads(data)
                except Exception:  # a garbled message: computed here
                    pass
            self._close(kill=True)
        if self._here is None:
            self._here = self._run_here()
            for _ in range(self._taken - 1):  # the values the child sent
                next(self._here)
        return next(self._here)

    def tell(self, message: object) -> None:
        """Gives the generator the answer to its next :data:`ASK` (it must be picklable): sent
        to the child on a thread, which waits for the child to read it while this one goes on
        (a child still at work reads it later, and a message can outgrow the pipe)."""
        self._told.append(message)
        if self._here is None and self._tell is not None:
            data = _dumps_told(message)
            before = self._telling
            self._telling = threading.Thread(
                target=self._write_told, args=(self._tell, data, before), daemon=True
            )
            self._telling.start()

    @staticmethod
    def _write_told(pipe: int, data: bytes, before: threading.Thread | None) -> None:
        """On a telling thread: ``data`` written once the message told before it is."""
        if before is not None:
            before.join()
        if hasattr(signal, "SIGPIPE"):  # (a host may not ignore it: a child gone ends a write)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPIPE})
        try:
            _write(pipe, len(data).to_bytes(8, "little"))
            _write(pipe, data)
        except OSError:  # the child has ended: what is still needed is computed here
            pass

    def ready(self) -> bool:
        """Whether the next value can be read without waiting for the child to find it (its
        first bytes are there): a caller that can do without it may :meth:`skip` it."""
        if self._dropping is not None and self._dropping.is_alive():
            return False  # (a value passed over is still coming)
        if self._here is not None or not self._dropped() or self._pipe is None:
            return False
        return bool(select.select([self._pipe], [], [], 0)[0])

    def skip(self, count: int = 1) -> None:
        """Passes over the next ``count`` values without waiting for them: the child's are
        read and dropped meanwhile, on a thread (the child cannot go on until they are
        read); run here, they are computed in order."""
        self._taken += count
        if self._here is not None:
            for _ in range(count):
                next(self._here)
        elif self._dropped() and self._pipe is not None:
            self._dropping = threading.Thread(
                target=self._drop, args=(self._pipe, count), daemon=True
            )
            self._dropping.start()

    def _drop(self, pipe: int, count: int) -> None:
        """On the dropping thread: reads and drops the values passed over."""
        self._drop_failed = any(_read_message(pipe) is None for _ in range(count))

    def _dropped(self) -> bool:
        """Waits for the value passed over to be dropped; False if the child ended first."""
        if self._dropping is not None:
            self._dropping.join()
            self._dropping = None
            if self._drop_failed:
                self._close(kill=True)
                return False
        return True

    def _close(self, kill: bool) -> None:
        threads = [t for t in (self._dropping, self._telling) if t is not None]
        self._dropping = self._telling = None
        if any(t.is_alive() for t in threads) and kill and self._pid is not None:
            try:  # (a thread still reading or writing then finds the pipe ended)
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for thread in threads:
            thread.join()
        pipe, tell, pid = self._pipe, self._tell, self._pid
        self._pipe = self._tell = self._pid = None
        for end in (pipe, tell):
            if end is not None:
                os.close(end)
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
