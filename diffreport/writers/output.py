"""Output that never destroys what it should not.

A regular file (or a new one) is written to a temporary file beside it and renamed into place
when complete, so a failed or interrupted run never leaves a half-written file or clobbers an
earlier one. What is not a regular file is written *through*, never replaced: ``-`` is standard
output, a device (``/dev/null``, ``/dev/full``) or a FIFO is opened and written, one of this
process's own descriptors (``/dev/stdout``, ``/dev/fd/3``) is written where it points, and a
link's target is replaced in the target's own folder (the link stays a link).
"""

from __future__ import annotations

import errno
import os
import re
import select
import stat
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError

STDOUT = "-"

# Linux follows at most 40 links in one path lookup (MAXSYMLINKS); a longer chain is a loop.
_MAX_LINKS = 40
# The folder of a process's open descriptors, as the kernel names it (/dev/fd, /dev/stdout and
# /proc/self/fd lead there): its entries are descriptors, not files to rename over.
_FD_FOLDER = re.compile(r"/proc/(\d+)(?:/task/\d+)?/fd")
# mkstemp's name is the prefix, 8 random characters and the suffix.
_TEMP_SUFFIX = ".tmp"
_TEMP_EXTRA = len(".") + len(".") + 8 + len(_TEMP_SUFFIX)
_NAME_MAX = 255  # when the file system does not say (pathconf): Linux's and macOS's


@dataclass(frozen=True, slots=True)
class _Target:
    """Where the bytes go: a path to replace atomically, a path to write through, or one of
    this process's descriptors."""

    path: Path
    fd: int | None = None
    direct: bool = False


def _resolve(out: Path) -> _Target:
    """Follow ``out``'s links one at a time to what will really be written."""
    if str(out) == STDOUT:
        return _Target(out, fd=1)
    path = os.path.abspath(out)
    for _ in range(_MAX_LINKS):
        folder, name = os.path.split(path)
        real_folder = os.path.realpath(folder)
        fds = _FD_FOLDER.fullmatch(real_folder)
        if fds:
            if int(fds.group(1)) == os.getpid() and name.isdigit():
                return _Target(Path(path), fd=int(name))
            return _Target(Path(path), direct=True)  # another process's descriptor
        path = os.path.join(real_folder, name)
        if name in ("", ".", ".."):
            return _Target(Path(os.path.realpath(path)))
        try:
            st = os.lstat(path)
        except OSError:
            return _Target(Path(path))  # nothing there yet (or unreachable: said when writing)
        if stat.S_ISLNK(st.st_mode):
            path = os.path.join(real_folder, os.readlink(path))
            continue
        return _Target(
            Path(path), direct=not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode)
        )
    raise OutputError(out, "is a loop of links", "choose another path")


def _refuse_folder_name(out: str | Path) -> None:
    """`-o out/` names a folder: Path() would drop the slash and write a file called out."""
    if str(out).endswith(os.sep) and str(out) != os.sep:
        raise OutputError(out, "names a folder", "give a file name, e.g. out/briefing.docx")


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return _NAME_MAX


def check_output_path(out: str | Path, inputs: list[str | Path]) -> Path:
    """Refuse, before any work is done, an output that would overwrite an input (also through
    a link), a folder, a read-only file, a path under a file or a name too long to create."""
    _refuse_folder_name(out)
    out = Path(out)
    target = _resolve(out)
    if target.fd is not None or target.direct:
        return out  # written through, never replaced: no input can be lost
    path = target.path
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        # Nothing there yet, so no input can be overwritten; the folder is made when writing,
        # unless a file stands where a folder must go.
        for folder in path.parents:
            if folder.exists():
                if not folder.is_dir():
                    raise _in_the_way(out, folder) from None
                break
        return out
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise OutputError(
                out, "has a name too long for the file system", "choose a shorter name"
            ) from None
        raise OutputError(out, f"cannot be used ({exc.strerror})", "choose another path") from None
    for src in inputs:
        try:
            if os.path.samefile(path, src):
                raise OutputError(
                    out, f"is one of the inputs ({src})", "choose another output file"
                )
        except OSError:
            continue
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(out, "is a folder", "give a file name, e.g. out/briefing.docx")
    if not os.access(path, os.W_OK):
        raise OutputError(out, "exists and is read-only", "choose another file or make it writable")
    return out


def make_folder(folder: str | Path) -> Path:
    """A folder for outputs (``batch --out``), made with its parents; a file there is refused."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(folder, "is not a folder", "give a folder for the outputs") from None
    except OSError as exc:
        raise OutputError(
            folder, f"cannot be made ({exc.strerror})", "choose a folder you may write to"
        ) from None
    return folder


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


def write_output(out: str | Path, data: bytes | Sequence[bytes]) -> Path:
    """Write ``data`` (bytes, or pieces written one after the other) to ``out``: ``-`` is
    standard output; a device, FIFO or descriptor is written through; a regular file (also
    behind links) is replaced atomically.

    Raises :class:`OutputError`, or :class:`BrokenPipeError` when the reader of a pipe left."""
    _refuse_folder_name(out)
    out = Path(out)
    target = _resolve(out)
    if target.fd is not None:
        _write_descriptor(out, target.fd, data)
    elif target.direct:
        _write_through(out, target.path, data)
    else:
        _write_replacing(out, target.path, data)
    return out


# The earlier name: every caller gets the same care.
write_atomic = write_output


def _shown(out: Path) -> str:
    return "standard output" if str(out) == STDOUT else str(out)


def _write_error(out: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ENOSPC:
        hint = "free some space or write elsewhere"
    elif exc.errno == errno.EBADF:
        return OutputError(_shown(out), "is closed", "give a file with -o")
    else:
        hint = "choose another output"
    return OutputError(_shown(out), f"could not be written ({exc.strerror or exc})", hint)


def _pieces(data: bytes | Sequence[bytes]) -> Sequence[bytes]:
    return (data,) if isinstance(data, bytes | bytearray | memoryview) else data


def _write_all(fd: int, data: bytes | Sequence[bytes]) -> None:
    for piece in _pieces(data):
        view = memoryview(piece)
        while view:
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:  # a descriptor another program left non-blocking
                select.select([], [fd], [])


def _write_descriptor(out: Path, fd: int, data: bytes | Sequence[bytes]) -> None:
    """One of this process's own descriptors (``-``, /dev/stdout): written where it points,
    at its offset and in its mode (``>>`` appends)."""
    stream = {1: sys.stdout, 2: sys.stderr}.get(fd)
    if fd in (1, 2) and stream is None:
        # Python found it closed at start-up (`>&-`); the number may since name another file.
        raise OutputError(_shown(out), "is closed", "give a file with -o")
    try:
        if stream is not None and hasattr(stream, "buffer"):
            # Through Python's stream: in order with what was printed, and wherever the
            # stream was redirected (a test's runner captures it).
            stream.flush()
            for piece in _pieces(data):
                stream.buffer.write(piece)
            stream.buffer.flush()
            return
        if stream is not None:
            stream.flush()
        os.fstat(fd)
        _write_all(fd, data)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _write_error(out, exc) from None


def _write_through(out: Path, path: Path, data: bytes | Sequence[bytes]) -> None:
    """A device, FIFO or socket is opened and written, never replaced (a FIFO waits for its
    reader, as `>` in a shell does)."""
    try:
        flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags)
    except OSError as exc:
        raise OutputError(
            out, f"cannot be opened for writing ({exc.strerror})", "choose another output"
        ) from None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.ftruncate(fd, 0)
        _write_all(fd, data)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _write_error(out, exc) from None
    finally:
        os.close(fd)


def _temp_prefix(name: str, folder: Path) -> str:
    """``.NAME.``, shortened so that the temporary name fits the file system's name limit."""
    room = max(1, _name_max(folder) - _TEMP_EXTRA)
    short = os.fsdecode(os.fsencode(name)[:room])
    return f".{short}."


def _write_replacing(out: Path, path: Path, data: bytes | Sequence[bytes]) -> None:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise _in_the_way(out, folder) from None
    except OSError as exc:
        raise OutputError(
            out, f"cannot create folder {folder} ({exc.strerror})", "choose another place"
        ) from None
    mode = _new_file_mode(path)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=_temp_prefix(path.name, folder), suffix=_TEMP_SUFFIX, dir=folder
        )
    except OSError as exc:
        raise OutputError(
            out, f"cannot write in {folder} ({exc.strerror})", "choose a folder you may write to"
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in _pieces(data):
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())  # the data is on disk before the name points at it
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:  # also Ctrl-C, SIGTERM and SIGHUP (see cli): no file left
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(
                out, f"could not be written ({exc.strerror or exc})", "nothing was changed"
            ) from None
        raise
