"""The PDF text layer, read by PDFium in a child process: `python -m diffreport.readers.pdf_extract`.

PDF files are untrusted and PDFium is C++: a hostile file (a page tree that loops, a stream that
inflates to gigabytes) must cost a bounded time and memory and must not take the comparison
down with it. So the parent (:mod:`diffreport.readers.pdf`) runs this module in a child with an
address-space limit and a timeout, writes the PDF's bytes to its stdin and reads, as JSON on
stdout, each page's size and its text as rows of segments::

    {"pages": [{"w": 595.3, "h": 841.9,
                "rows": [[[x0, x1, top, bottom, size, bold, "text"], ...], ...]}, ...]}

or ``{"error": "password" | "broken" | "pages" | "chars", "detail": "..."}``.

A row is the characters that share a baseline, left to right; a row is cut into segments where
the gap between two characters is wider than :data:`SEGMENT_GAP` font sizes (table cells,
columns). Coordinates are PDF points with y growing downwards from the page's top.
"""

from __future__ import annotations

import ctypes
import json
import sys

MAX_PAGES = 5000  # a longer "document" is not one a person compares; refused with a message
MAX_CHARS = 20_000_000  # characters in the whole file (a 5000-page book holds ~10 M)
# Address space of this child beyond twice the file's size: PDFium's allocations fail past it
# (a stream that inflates to gigabytes), which ends the child, not the comparison.
MEMORY_LIMIT = 1024**3
SEGMENT_GAP = 2.0  # a horizontal gap this many font sizes wide separates table cells/columns
SAME_ROW = 0.35  # characters whose baselines differ by less than this many sizes share a row
MARK_CHARS = 4  # a row of at most this many characters, set at most
MARK_SIZE = 1.2  # 1/this the size of the line beside it, is a mark on that line (superscript)
WORD_GAP = 0.25  # a gap this many sizes wide between Latin characters is a word space
_BOLD_NAMES = ("bold", "heavy", "black", "semibold", "demibold", "hei", "黑体")


def _limit_memory(file_size: int) -> None:
    try:
        import resource

        limit = MEMORY_LIMIT + 2 * file_size
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the timeout still holds
        pass


def _wide(ch: str) -> bool:
    """A character Chinese text sets without spaces around it (ideographs, CJK punctuation,
    curly quotes, dashes and ellipses)."""
    return ch >= "\u2e80" or "\u2010" <= ch <= "\u2027"


def _segment(chars: list[tuple]) -> list:
    """[x0, x1, top, bottom, size, bold, text] of characters on one row, left to right."""
    x0 = chars[0][1]
    x1 = max(c[2] for c in chars)
    top = min(c[3] for c in chars)
    bottom = max(c[4] for c in chars)
    sizes: dict[float, int] = {}
    bold = 0
    parts: list[str] = []
    prev = None
    for c in chars:
        sizes[c[5]] = sizes.get(c[5], 0) + 1
        bold += c[6]
        if prev is not None:
            gap = c[1] - prev[2]
            if (
                gap > WORD_GAP * max(c[5], prev[5])
                and not (_wide(c[0]) or _wide(prev[0]))
                and not c[0].isspace()
                and not prev[0].isspace()
            ):
                parts.append(" ")
        parts.append(c[0])
        prev = c
    size = max(sizes.items(), key=lambda kv: kv[1])[0]
    text = "".join(parts)
    return [
        round(x0, 2),
        round(x1, 2),
        round(top, 2),
        round(bottom, 2),
        size,
        bold * 2 > len(chars),
        text,
    ]


def _attach_raised(rows: list[list[tuple]]) -> list[list[tuple]]:
    """A few small characters raised above (or lowered below) a line of larger type, such as a
    footnote mark, belong to that line, not to a row of their own."""
    out: list[list[tuple]] = []
    for i, row in enumerate(rows):
        size = max(c[5] for c in row)
        if len(row) <= MARK_CHARS:
            for j in (i + 1, i - 1):
                if not 0 <= j < len(rows):
                    continue
                other = rows[j]
                other_size = max(c[5] for c in other)
                if other_size >= MARK_SIZE * size and abs(row[0][0] - other[0][0]) < other_size:
                    other.extend(row)  # that row is in `out` already, or is still to come
                    break
            else:
                out.append(row)
            continue
        out.append(row)
    return out


def _rows(chars: list[tuple]) -> list[list]:
    """Characters (y, x0, x1, top, bottom, size, bold, ch) → rows of segments, top to bottom."""
    chars.sort(key=lambda c: c[0])
    rows: list[list[tuple]] = []
    row_y = None
    row_size = 0.0
    for c in chars:
        if row_y is None or c[0] - row_y > SAME_ROW * max(row_size, c[5]):
            rows.append([])
            row_y, row_size = c[0], c[5]
        rows[-1].append(c)
    rows = _attach_raised(rows)
    out = []
    for row in rows:
        row.sort(key=lambda c: c[1])
        segments: list[list[tuple]] = [[]]
        prev = None
        for c in row:
            if prev is not None and c[1] - prev[2] > SEGMENT_GAP * max(c[5], prev[5]):
                segments.append([])
            segments[-1].append(c)
            prev = c
        # (ch, x0, x1, top, bottom, size, bold) per character for _segment
        out.append(
            [_segment([(c[7], c[1], c[2], c[3], c[4], c[5], c[6]) for c in s]) for s in segments]
        )
    return [[seg for seg in row if seg[6].strip()] for row in out if any(s[6].strip() for s in row)]


def extract(data: bytes) -> dict:
    import pypdfium2 as pdfium
    import pypdfium2.raw as C

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == C.FPDF_ERR_PASSWORD:
            return {"error": "password", "detail": str(exc)}
        return {"error": "broken", "detail": str(exc)}
    count = len(pdf)
    if count == 0:
        return {"error": "broken", "detail": "no pages"}
    if count > MAX_PAGES:
        return {"error": "pages", "detail": str(count)}
    x = ctypes.c_double()
    y = ctypes.c_double()
    box = C.FS_RECTF()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    total = 0
    pages = []
    images = 0
    for index in range(count):
        try:
            page = pdf[index]
        except pdfium.PdfiumError as exc:
            return {"error": "broken", "detail": f"page {index + 1}: {exc}"}
        width, height = page.get_size()
        textpage = page.get_textpage()
        tp = textpage.raw
        n = C.FPDFText_CountChars(tp)
        total += n
        if total > MAX_CHARS:
            return {"error": "chars", "detail": str(total)}
        chars = []
        bold_of: dict[bytes, int] = {}
        for j in range(n):
            code = C.FPDFText_GetUnicode(tp, j)
            if code in (10, 13) or C.FPDFText_IsGenerated(tp, j) == 1 and code != 32:
                continue
            if code == 0xFFFE or code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                continue
            ch = chr(code)
            size = round(C.FPDFText_GetFontSize(tp, j), 1)
            C.FPDFText_GetCharOrigin(tp, j, x, y)
            # The loose box spans the glyph's advance and the font's height: gaps measured
            # between loose boxes are the spacing the producer set, not ink to ink.
            C.FPDFText_GetLooseCharBox(tp, j, box)
            C.FPDFText_GetFontInfo(tp, j, name, 128, flags)
            font = name.value
            bold = bold_of.get(font)
            if bold is None:
                lowered = font.decode("latin-1").lower()
                bold = bold_of[font] = int(
                    any(b in lowered for b in _BOLD_NAMES) or C.FPDFText_GetFontWeight(tp, j) >= 600
                )
            if ch == " ":
                if size <= 1.0:  # a space PDFium inserted between words: no size of its own
                    size = chars[-1][5] if chars else 1.0
                x0 = x1 = x.value
            else:
                x0, x1 = box.left, box.right
            chars.append(
                (height - y.value, x0, x1, height - box.top, height - box.bottom, size, bold, ch)
            )
        if not any(not c[7].isspace() for c in chars):
            images += 1
        pages.append({"w": round(width, 2), "h": round(height, 2), "rows": _rows(chars)})
        textpage.close()
        page.close()
    pdf.close()
    return {"pages": pages}


def main() -> None:
    data = sys.stdin.buffer.read()
    _limit_memory(len(data))
    try:
        result = extract(data)
    except MemoryError:
        result = {"error": "memory", "detail": ""}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
