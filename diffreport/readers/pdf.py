"""PDF: the text layer, read by PDFium (pypdfium2) in a bounded child process, laid back out
into paragraphs and headings.

1. :mod:`.pdf_extract` gives each page's rows of text segments with position, size and weight.
2. Running headers, footers and page numbers are dropped (:func:`.lines.drop_running`).
3. Smaller lines at a page's foot, under the body text, are footnotes: kept apart, at the end.
4. A line larger than the body text, bold where the body is not, or centred, is a heading;
   lines of one heading style in a row are one heading. A heading that carries its own
   numbering (`一、`, `第一章`, `1.`) is left to the parsers, as in a .docx with direct
   formatting; an unnumbered one gets a level from its style (larger first, then bold, centred).
5. Body lines are joined into paragraphs (:func:`.lines.join_paragraphs`); a row of several
   segments far apart is a table row, its cells kept in order and separated.

Why PDFium and not pdfminer.six/pdfplumber: measured on the seed plans and a law printed by
LibreOffice (docs/formats.md), both recover the same characters, and PDFium reads 210-260 pages
a second where pdfplumber reads 29-47; PDFium is also the parser Chrome fuzzes. Its licence
(Apache-2.0/BSD) keeps the default install free of AGPL code (PyMuPDF is AGPL).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from ..errors import InputError
from ..model import Paragraph
from ..normalise import clean_text
from .lines import (
    Joiner,
    Line,
    Metrics,
    drop_running,
    join_paragraphs,
    numbering_marker,
    vocabulary,
)

PDF_TIMEOUT_SECONDS = 120  # reading one PDF; a 5000-page book takes ~25 s on one core
HEADING_SIZE = 1.15  # a line this many times the body size is a heading
FOOTNOTE_SIZE = 0.88  # a line at a page's foot this many times the body size (or less) is a note
CENTRED_EMS = 0.5  # a line whose middle is this close to the text's middle, and that is
CENTRED_MARGIN_EMS = 2.5  # indented more than a first line (2 ems) on both sides, is centred
_RESAVE = "open it in a PDF reader and print it to a new PDF, or give the .docx it was made from"
_EXTRACT = Path(__file__).with_name("pdf_extract.py")


def _extract(data: bytes, name: str) -> dict:
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        raise InputError(
            name, "is a PDF, and reading PDF needs pypdfium2", "pip install pypdfium2"
        ) from None
    try:
        done = subprocess.run(
            [sys.executable, str(_EXTRACT)],
            input=data,
            capture_output=True,
            timeout=PDF_TIMEOUT_SECONDS,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
    except subprocess.TimeoutExpired:
        raise InputError(
            name,
            f"took more than {PDF_TIMEOUT_SECONDS} s to read, so reading it was stopped"
            " (a damaged or hostile PDF?)",
            _RESAVE,
        ) from None
    try:
        result = json.loads(done.stdout) if done.returncode == 0 else None
    except ValueError:
        result = None
    if not isinstance(result, dict) or result.get("error") == "memory":
        raise InputError(
            name,
            "could not be read: the PDF reader ran out of its memory limit or stopped"
            " (a damaged or hostile PDF?)",
            _RESAVE,
        )
    error = result.get("error")
    if error == "password":
        raise InputError(
            name, "is a password-protected PDF", "open it with the password and save a copy without"
        )
    if error == "pages":
        raise InputError(
            name, f"has {result.get('detail')} pages, over the limit", "compare it in parts"
        )
    if error == "chars":
        raise InputError(name, "holds more text than the limit for one PDF", "compare it in parts")
    if error:
        raise InputError(name, f"is a damaged PDF ({result.get('detail', '')})", _RESAVE)
    return result


def _lines_of(pages: list[dict]) -> list[list[Line]]:
    out = []
    for number, page in enumerate(pages):
        lines = []
        for row in page["rows"]:
            x0, x1, top, _bottom, size, bold, text = row[0]
            if len(row) == 1:
                lines.append(Line(text.strip(), x0, x1, top, size, bool(bold), number))
                continue
            sizes = Counter(seg[4] for seg in row)
            cells = tuple(clean_text(seg[6]) for seg in row)
            lines.append(
                Line(
                    " | ".join(cells),
                    x0,
                    row[-1][1],
                    top,
                    sizes.most_common(1)[0][0],
                    all(seg[5] for seg in row),
                    number,
                    cells=cells,
                )
            )
        out.append(lines)
    return out


def _split_footnotes(pages: list[list[Line]], body_size: float) -> list[Line]:
    """Take away the lines at each page's foot set smaller than the body, under it."""
    notes: list[Line] = []
    for lines in pages:
        cut = len(lines)
        while cut > 0 and lines[cut - 1].size <= FOOTNOTE_SIZE * body_size:
            cut -= 1
        if 0 < cut < len(lines):
            notes.extend(lines[cut:])
            del lines[cut:]
    return notes


def read_pdf_bytes(data: bytes, name: str = "<input>") -> tuple[list[Paragraph], list[str]]:
    """Paragraphs of a PDF, and what was dropped as running header, footer or page number."""
    if b"%%EOF" not in data[-1024:]:
        raise InputError(name, "is a PDF cut short (it does not end with %EOF)", _RESAVE)
    result = _extract(data, name)
    pages = _lines_of(result["pages"])
    if not any(line.text.strip() for lines in pages for line in lines):
        raise InputError(
            name,
            "has no text layer (scanned: run OCR first, e.g. ocrmypdf)",
            "then compare the OCRed PDF",
        )
    pages, dropped = drop_running(pages)
    lines = [x for page in pages for x in page]
    m = Metrics.of(lines)
    notes = _split_footnotes(pages, m.size)
    lines = [x for page in pages for x in page]
    body_bold = sum(len(x.text) for x in lines if x.bold) > sum(len(x.text) for x in lines) / 2
    centre = (m.left + m.right) / 2

    def style(x: Line) -> tuple[float, bool, bool] | None:
        if x.cells:
            return None
        centred = (
            abs((x.x0 + x.x1) / 2 - centre) < CENTRED_EMS * m.size
            and x.x0 > m.left + CENTRED_MARGIN_EMS * m.size
            and x.x1 < m.right - CENTRED_MARGIN_EMS * m.size
        )
        big = x.size >= HEADING_SIZE * m.size
        if big or (x.bold and not body_bold) or centred:
            return (round(x.size), x.bold, centred)
        return None

    joiner = Joiner(vocabulary(lines))
    blocks: list[tuple[tuple | None, list[Line]]] = []
    for x in lines:
        s = style(x)
        last = blocks[-1] if blocks else None
        if (
            s is not None
            and last is not None
            and last[0] is not None
            and last[0][:2] == s[:2]  # one size and weight: a heading set over several lines
            and not numbering_marker().match(x.text)  # … unless the line opens a numbered heading
            and x.page == last[1][-1].page
            and x.top - last[1][-1].top <= 1.6 * max(m.pitch, x.size * 1.2)
        ):
            last[1].append(x)
            if s[2] and not last[0][2]:  # centred if any of its lines is (a full first line)
                blocks[-1] = (s, last[1])
        elif s is None and last is not None and last[0] is None:
            last[1].append(x)
        else:
            blocks.append((s, [x]))
    from ..parse import detect_heading, is_article_label

    levels = {
        s: i + 1
        for i, s in enumerate(
            sorted({s for s, _ in blocks if s is not None}, key=lambda s: (-s[0], -s[1], -s[2]))
        )
    }
    paragraphs: list[Paragraph] = []
    for s, run in blocks:
        if s is None:
            paragraphs.extend(Paragraph(clean_text(t)) for t in join_paragraphs(run, m))
            continue
        text = ""
        for x in run:
            text = joiner.join(text, x.text.strip())
        text = clean_text(text)
        plain = Paragraph(text)
        numbered = is_article_label(text) or detect_heading(plain) is not None
        paragraphs.append(plain if numbered else Paragraph(text, heading_level=min(6, levels[s])))
    paragraphs.extend(Paragraph(clean_text(t)) for t in join_paragraphs(notes, m))
    return [p for p in paragraphs if p.text], dropped
