"""Safe output: write to a temporary file beside the target, rename into place when complete,
so a failed or interrupted run never leaves a half-written file or clobbers an earlier one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import OutputError


def check_output_path(out: str | Path, inputs: list[str | Path]) -> Path:
    out = Path(out)
    for src in inputs:
        try:
            if Path(src).exists() and out.exists() and out.resolve() == Path(src).resolve():
                raise OutputError(f"{out}: output path is one of the inputs; choose another file")
        except OSError:
            continue
    if out.exists() and out.is_dir():
        raise OutputError(f"{out}: is a directory; give a file name")
    return out


def write_atomic(out: str | Path, data: bytes) -> Path:
    out = Path(out)
    folder = out.parent if str(out.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create folder {folder}: {exc.strerror}") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write in {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return out
