"""Errors a user can act on. The CLI prints them as one line and exits with status 2."""

from __future__ import annotations


class DiffreportError(Exception):
    """Base class: a problem with the input or the output, not a bug."""


class InputError(DiffreportError):
    def __init__(self, path: str, problem: str, hint: str = "") -> None:
        self.path = path
        self.problem = problem
        self.hint = hint
        message = f"{path}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class OutputError(DiffreportError):
    pass
