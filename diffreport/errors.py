"""Errors a user can act on. The CLI prints them as one line and exits with status 2.

Every message names the file, says what is wrong with it and what to do:
``a.docx: is not a .docx file (not a zip archive, or cut short); re-save it in Word``.
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """A message must stay one line on a terminal whatever a file name or a library put in it."""
    text = _SPACES.sub(" ", text).strip()
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


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
