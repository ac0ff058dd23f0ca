"""Readers: bytes on disk → :class:`SourceText` (paragraphs). The only input I/O in the package.

One function per format; :func:`read` picks by extension (then by content). Every failure is an
:class:`InputError` with a message a user can act on. Inputs are untrusted: sizes are limited
before anything is unpacked, XML is parsed without DTDs, entities or network access, and every
walk over a tree is iterative, so no input can exhaust memory, time or the stack.
"""

from __future__ import annotations

import os
import re
import stat
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError, SettingsError
from ..model import SourceText
from .text import decode, is_rule, read_plain_text

# The docx and html readers are imported when a file needs them: plain text is the common
# input, and the docx reader's imports (zipfile and its compressors) cost some 8 ms a run.
__all__ = [
    "read_file_bytes",
    "read",
    "read_bytes",
    "read_text",
    "decode",
    "parse_size",
    "max_input_bytes",
    "read_plain_text",
]

MAX_INPUT_BYTES = 50 * 1024 * 1024  # override with --max-size / DIFFREPORT_MAX_BYTES

# How long a named pipe (FIFO) given as input may have nothing writing to it: `cat < pipe`
# waits for ever, which in a script is a hang with no message. A pipe with a writer (a shell's
# `<(…)`) is read as it comes, for as long as it takes.
FIFO_WAIT_SECONDS = 10.0

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Larger than any file: what a limit of 400 nines amounts to.
_NO_LIMIT = 2**62
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", re.I)


def parse_size(value: str | int) -> int:
    """`50000000`, `50M`, `50MB`, `512k`, `1G` → bytes (binary multiples, like `du`). A limit
    larger than any file can be (400 nines) is no limit, not an error."""
    if isinstance(value, int):
        if value <= 0:
            raise SettingsError(f"size limit {value} must be positive")
        return min(value, _NO_LIMIT)
    m = _SIZE.fullmatch(value)
    if not m:
        raise SettingsError(f"{value[:40]!r} is not a size; give bytes, e.g. 50000000, 50M or 1G")
    factor = 1024 ** " kmg".index(m.group(2).lower() or " ")
    size = int(Decimal(m.group(1)) * factor)  # exact, however many digits (a float overflows)
    if size <= 0:
        raise SettingsError(f"{value!r} is less than one byte; give bytes, e.g. 50000000 or 50M")
    return min(size, _NO_LIMIT)


def max_input_bytes() -> int:
    """The input size limit: ``DIFFREPORT_MAX_BYTES`` if set, else :data:`MAX_INPUT_BYTES`."""
    env = os.environ.get("DIFFREPORT_MAX_BYTES", "").strip()
    if not env:
        return MAX_INPUT_BYTES
    try:
        return parse_size(env)
    except SettingsError as exc:
        raise SettingsError(f"DIFFREPORT_MAX_BYTES: {exc}") from None


def _too_large(name: str, size: str, limit: int) -> InputError:
    return InputError(
        name,
        f"is {size} bytes, over the limit of {limit:,} bytes",
        "raise the limit with --max-size or DIFFREPORT_MAX_BYTES if you trust the file",
    )


def read(path: str | Path, max_bytes: int | None = None) -> SourceText:
    """Read a file of any supported format into paragraphs.

    ``max_bytes`` (default: :func:`max_input_bytes`) bounds what is read, also from a pipe."""
    return read_bytes(read_file_bytes(path, max_bytes), str(path))


def read_file_bytes(path: str | Path, max_bytes: int | None = None) -> bytes:
    """A file's bytes, within the size limit, refused as :func:`read` refuses it."""
    path = Path(path)
    name = str(path)
    limit = max_input_bytes() if max_bytes is None else parse_size(max_bytes)
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(name, "no such file", "check the path") from None
    except OSError as exc:
        raise InputError(name, f"cannot be opened ({exc.strerror})", "check the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(name, "is a folder, not a document", "give a file inside it")
    if stat.S_ISREG(st.st_mode) and st.st_size > limit:
        raise _too_large(name, f"{st.st_size:,}", limit)
    try:
        if stat.S_ISFIFO(st.st_mode):
            data = _read_fifo(path, limit + 1)
        else:
            # Bounded even when the size is unknown (a pipe, a device).
            with path.open("rb") as fh:
                data = read_at_most(fh, limit + 1)
    except OSError as exc:
        raise InputError(
            name, f"cannot be read ({exc.strerror})", "check that you may read it"
        ) from None
    if len(data) > limit:
        raise _too_large(name, "more than " + f"{limit:,}", limit)
    return data


def _read_fifo(path: Path, size: int) -> bytes:
    """A named pipe's bytes, once a writer has opened it: opened without waiting, then
    refused if nothing writes to it within :data:`FIFO_WAIT_SECONDS` (also the second time
    the same pipe is given, its writer gone)."""
    import select

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP)
        # Linux reports no POLLHUP on a pipe no writer has opened yet: only data or a writer
        # that came and went end the wait.
        if not poller.poll(int(FIFO_WAIT_SECONDS * 1000)):
            raise InputError(
                str(path),
                f"is a named pipe that nothing wrote to within {FIFO_WAIT_SECONDS:g} s",
                "start the program that writes to it first, or give a file",
            )
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            return read_at_most(fh, size)
    finally:
        if fd >= 0:
            os.close(fd)


def read_at_most(fh: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes, a piece at a time: ``fh.read(size)`` reserves the memory for all
    of a large limit at once (a MemoryError for --max-size 100G)."""
    pieces: list[bytes] = []
    total = 0
    while total < size:
        piece = fh.read(min(_READ_PIECE, size - total))
        if not piece:
            break
        pieces.append(piece)
        total += len(piece)
    return b"".join(pieces)


_READ_PIECE = 1 << 20


def read_bytes(data: bytes, name: str = "<input>") -> SourceText:
    suffix = Path(name).suffix.lower()
    dropped: list[str] = []
    if b"%PDF-" in data[:1024] or suffix == ".pdf":
        from .pdf import read_pdf_bytes

        if b"%PDF-" not in data[:1024]:
            raise InputError(name, "is named .pdf but is not a PDF", "check it is the right file")
        paragraphs, dropped = read_pdf_bytes(data, name)
        return _source(paragraphs, name, "pdf", "", dropped)
    from .convert import convert_to_docx, convertible

    if kind := convertible(data):
        from .docx import read_docx_bytes

        docx = convert_to_docx(data, name, kind)
        return _source(read_docx_bytes(docx, name), name, suffix.lstrip(".") or kind, "")
    if data.startswith(_OLE_MAGIC):
        raise InputError(
            name,
            "is a password-protected or old-style (.doc) Word file",
            "open it in Word, remove the password and save it as .docx",
        )
    if suffix == ".docx" or (data[:2] == b"PK" and suffix not in (".txt", ".md", ".html", ".htm")):
        from .docx import read_docx_bytes

        paragraphs = read_docx_bytes(data, name)
        fmt = "docx"
        encoding = "utf-8"
    else:
        text, encoding = decode(data, name)
        return _read_decoded(text, name, suffix, encoding)
    return _source(paragraphs, name, fmt, encoding, dropped)


def read_text(text: str, name: str = "<text>") -> SourceText:
    """Text given as a string (to ``compare()``): read as a Markdown file's text is (`#` and
    setext headings, the front-matter marker, hard wrapping), or as HTML if it is HTML."""
    return _read_decoded(text, name, ".md", "")


def _read_decoded(text: str, name: str, suffix: str, encoding: str) -> SourceText:
    dropped: list[str] = []
    if suffix in (".html", ".htm") or re.match(r"\s*<(!doctype html|html)", text[:200], re.I):
        from .html import read_html_text

        paragraphs, fmt = read_html_text(text, name), "html"
    else:
        fmt = "md" if suffix in (".md", ".markdown") else "txt"
        from .lines import read_wrapped

        wrapped = read_wrapped(text, markdown=fmt == "md")
        if wrapped is not None:
            paragraphs, dropped = wrapped
            paragraphs = [p for p in paragraphs if not is_rule(p.text)]
        else:
            paragraphs = read_plain_text(text, markdown=fmt == "md")
    return _source(paragraphs, name, fmt, encoding, dropped)


def _source(
    paragraphs: list, name: str, fmt: str, encoding: str, dropped: list[str] | None = None
) -> SourceText:
    if not any(p.text for p in paragraphs):
        raise InputError(
            name,
            "has no text",
            "check it is the right file; a scanned document needs OCR first",
        )
    return SourceText(
        paragraphs=paragraphs, path=name, format=fmt, encoding=encoding, dropped=dropped or []
    )
