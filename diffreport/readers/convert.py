"""Old and other word-processor formats (.doc, .wps, .odt, .rtf) through LibreOffice.

`soffice --headless --convert-to docx` runs in a private temporary folder (its own user
profile there too, so it neither waits for nor disturbs a LibreOffice the user has open), with
a timeout; the .docx it writes is then read by the .docx reader. A file is sent to LibreOffice
only when its content is of such a format: an OLE compound file (.doc, .wps) that is not an
encrypted Office file, an OpenDocument zip, or RTF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError

CONVERT_TIMEOUT_SECONDS = 120  # LibreOffice's start-up is 2-5 s; a long .doc converts in seconds
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODF_MIME = b"mimetypeapplication/vnd.oasis.opendocument.text"
# An encrypted .docx/.xlsx is an OLE file holding these streams (names in UTF-16).
_ENCRYPTED = [
    n.encode(enc) for n in ("EncryptionInfo", "EncryptedPackage") for enc in ("utf-16-le", "ascii")
]
_NAMES = {".doc": "Word 97-2003", ".wps": "WPS", ".odt": "OpenDocument", ".rtf": "RTF"}


def convertible(data: bytes) -> str | None:
    """The format LibreOffice would convert, from the content: doc, odt, rtf; else None."""
    if data.startswith(OLE_MAGIC):
        return None if any(mark in data for mark in _ENCRYPTED) else "doc"
    if data.startswith(b"PK") and _ODF_MIME in data[:200]:
        return "odt"
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    return None


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(data: bytes, name: str, kind: str) -> bytes:
    """The .docx LibreOffice makes of `data` (a .doc, .wps, .odt or .rtf file)."""
    suffix = Path(name).suffix.lower()
    what = _NAMES.get(
        suffix, {"doc": "Word 97-2003 or WPS", "odt": "OpenDocument", "rtf": "RTF"}[kind]
    )
    exe = soffice()
    if exe is None:
        raise InputError(
            name,
            f"is a {what} file, which is read through LibreOffice, and LibreOffice (soffice) is"
            " not installed",
            "install LibreOffice, or open the file and save it as .docx",
        )
    ext = suffix if suffix in _NAMES else "." + kind
    with tempfile.TemporaryDirectory(prefix="diffreport-convert-") as tmp:
        folder = Path(tmp)
        source = folder / f"input{ext}"
        source.write_bytes(data)
        out = folder / "out"
        cmd = [
            exe,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ]
        try:
            subprocess.run(
                cmd,
                capture_output=True,
                timeout=CONVERT_TIMEOUT_SECONDS,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "HOME": tmp},
                start_new_session=True,  # so that a timeout can end LibreOffice's helpers too
            )
        except subprocess.TimeoutExpired:
            raise InputError(
                name,
                f"could not be converted by LibreOffice within {CONVERT_TIMEOUT_SECONDS} s",
                "open it and save it as .docx",
            ) from None
        target = out / "input.docx"
        if not target.is_file() or target.stat().st_size == 0:
            raise InputError(
                name,
                f"is a {what} file that LibreOffice could not convert (damaged or"
                " password-protected?)",
                "open it, remove any password and save it as .docx",
            )
        return target.read_bytes()
