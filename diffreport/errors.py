"""Errors a user can act on. The CLI prints them as one line and exits with status 2.

Every message names the file, says what is wrong with it and what to do:
``a.docx: is not a .docx file (not a zip archive, or cut short); re-save it in Word``.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable

_SPACES = re.compile(r"\s+")
# What a terminal would obey rather than show: controls (an escape sequence starts with ESC,
# 0x1b), bidi controls (they reorder what follows), and the lone surrogates by which Python
# carries a file name's bytes that are not UTF-8 (and which no UTF-8 output can hold).
_UNSHOWABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_BYTE_SURROGATES = range(0xDC80, 0xDD00)  # os.fsdecode's stand-ins for the bytes 0x80-0xff


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code in _BYTE_SURROGATES:
        return f"\\x{code - 0xDC00:02x}"  # the byte as it is on disk
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` (a file name) safe to show on a terminal and to encode as UTF-8: what it would
    obey rather than show is written as an escape (``\\x1b``, ``\\u202e``, ``\\xff`` for a byte
    that is not UTF-8)."""
    return _UNSHOWABLE.sub(_escape, str(text))


# A message keeps its start (the file) and its end (what to do) when a name is huge.
_MESSAGE_HEAD, _MESSAGE_TAIL = 600, 300


def one_line(text: str) -> str:
    """A message must stay one line on a terminal whatever a file name or a library put in it
    (and a readable one: the middle of a 200 KB name is left out)."""
    text = printable(_SPACES.sub(" ", text).strip())
    if len(text) > _MESSAGE_HEAD + _MESSAGE_TAIL + 1:
        text = f"{text[:_MESSAGE_HEAD]}…{text[-_MESSAGE_TAIL:]}"
    return text


class DiffreportError(Exception):
    """Base class: a problem with the input, the output or the settings, not a bug."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


class _FileError(DiffreportError):
    def __init__(self, path: str, problem: str = "", hint: str = "") -> None:
        self.path = str(path)
        self.problem = problem
        self.hint = hint
        message = f"{self.path}: {problem}" if problem else self.path
        if hint:
            message += f"; {hint}"
        super().__init__(message)


class InputError(_FileError):
    """An input that cannot be compared: missing, empty, binary, damaged, too large, hostile."""


class OutputError(_FileError):
    """An output that cannot be written: an input, a folder, not writable."""


class SettingsError(DiffreportError):
    """A bad option or environment variable (``DIFFREPORT_MAX_BYTES=abc``)."""


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C's KeyboardInterrupt so that the same clean-up
    runs (a temporary output file is removed) and the same one line is printed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def stop_like_ctrl_c() -> Callable[[], None]:
    """Make SIGTERM and SIGHUP raise :class:`Interrupted`; returns what undoes it. A signal
    that is ignored (``nohup`` ignores SIGHUP) stays ignored; off the main thread (where
    Python cannot set handlers) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    earlier = {}
    # (Windows has no SIGHUP)
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)):
        if signal.getsignal(signum) == signal.SIG_DFL:
            earlier[signum] = signal.signal(signum, _raise_interrupted)

    def undo() -> None:
        for signum, handler in earlier.items():
            signal.signal(signum, handler)

    return undo
