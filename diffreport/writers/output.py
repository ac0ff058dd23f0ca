"""Safe output: write to a temporary file beside the target, rename it into place when complete,
so a failed or interrupted run never leaves a half-written file or clobbers an earlier one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..errors import OutputError


def check_output_path(out: str | Path, inputs: list[str | Path]) -> Path:
    """Refuse an output that would overwrite an input (also through a link) or a folder,
    before any work is done."""
    out = Path(out)
    try:
        st = out.stat()
    except (FileNotFoundError, NotADirectoryError):
        # Nothing there yet, so no input can be overwritten; the folder is made when writing,
        # unless a file stands where a folder must go.
        for folder in out.parents:
            if folder.exists():
                if not folder.is_dir():
                    raise _in_the_way(out, folder) from None
                break
        return out
    except OSError as exc:
        raise OutputError(out, f"cannot be used ({exc.strerror})", "choose another path") from None
    for src in inputs:
        try:
            if os.path.samefile(out, src):
                raise OutputError(
                    out, f"is one of the inputs ({src})", "choose another output file"
                )
        except OSError:
            continue
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(out, "is a folder", "give a file name, e.g. out/briefing.docx")
    if not os.access(out, os.W_OK):
        raise OutputError(out, "exists and is read-only", "choose another file or make it writable")
    return out


def _in_the_way(out: Path, folder: Path) -> OutputError:
    return OutputError(
        out, f"cannot create folder {folder}: a file is in the way", "choose another place"
    )


def _new_file_mode(out: Path) -> int:
    """Keep an existing file's permissions; a new file gets what the umask allows, like
    any other program would (mkstemp's 0600 would hide the report from colleagues)."""
    try:
        return stat.S_IMODE(out.stat().st_mode)
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def write_atomic(out: str | Path, data: bytes) -> Path:
    out = Path(out)
    folder = out.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise _in_the_way(out, folder) from None
    except OSError as exc:
        raise OutputError(
            out, f"cannot create folder {folder} ({exc.strerror})", "choose another place"
        ) from None
    mode = _new_file_mode(out)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(
            out, f"cannot write in {folder} ({exc.strerror})", "choose a folder you may write to"
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # the data is on disk before the name points at it
        os.chmod(tmp, mode)
        os.replace(tmp, out)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(
                out, f"could not be written ({exc.strerror or exc})", "nothing was changed"
            ) from None
        raise
    return out
