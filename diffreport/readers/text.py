"""Plain text and Markdown: decoding bytes of unknown encoding, then paragraphs."""

from __future__ import annotations

import re

from ..errors import InputError
from ..model import Paragraph
from ..normalise import clean_text, split_paragraphs

TEXT_FORMATS = "convert it to .txt, .md, .docx or .html"


def _binary(name: str) -> InputError:
    return InputError(name, "looks like a binary file, not text", TEXT_FORMATS)


def decode(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Decode bytes whose encoding is unknown: BOMs first, then UTF-8, then detection."""
    if not data.strip():
        raise InputError(
            name, "is empty" if not data else "is empty (only white space)", "give the document"
        )
    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError:
                raise InputError(
                    name,
                    f"starts with a {enc.replace('-sig', '')} byte-order mark but is not valid {enc.replace('-sig', '')}",
                    "re-save it as UTF-8",
                ) from None
    # NULs mean UTF-16 without a BOM or binary; a stray one in a long text is tolerated below.
    if data[:4096].count(0) > 8 and not _looks_utf16(data):
        raise _binary(name)
    try:
        text = data.decode("utf-8")
        if _plausible(text):
            return text, "utf-8"
        raise _binary(name)
    except UnicodeDecodeError:
        pass
    if _looks_utf16(data):
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        try:
            text = data.decode(enc)
            if _plausible(text):
                return text, enc
        except UnicodeDecodeError:
            pass
    # GB18030 is a superset of GBK and GB2312 and is what older Chinese systems write.
    try:
        text = data.decode("gb18030")
        if _plausible(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not _plausible(str(best)):
        raise _binary(name)
    return str(best), best.encoding


def _looks_utf16(data: bytes) -> bool:
    sample = data[:4000]
    if len(sample) < 4:
        return False
    odd_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
    even_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
    return odd_zero > 0.3 or even_zero > 0.3


# Control characters other than line breaks and tabs, and the private-use area.
_NOISE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ue000-\uf8ff]")


def _plausible(text: str) -> bool:
    """Text, not noise: few control characters and private-use code points."""
    if not text:
        return False
    bad = len(_NOISE.findall(text))
    return bad <= 2 or bad / len(text) < 0.02


_MD_HEADING = re.compile(r"(#{1,6})\s+(.*)")


def _strip_comments(text: str) -> str:
    """Drop `<!-- … -->` in one pass (a regex rescans for `-->` from every unclosed `<!--`)."""
    out: list[str] = []
    pos = 0
    while (start := text.find("<!--", pos)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break
        out.append(text[pos:start])
        pos = end + 3
    out.append(text[pos:])
    return "".join(out)


def _md_heading(line: str) -> tuple[int, str] | None:
    m = _MD_HEADING.fullmatch(line)
    if not m:
        return None
    title = m.group(2).rstrip()
    # A closing run of `#` is dropped when a space precedes it (CommonMark); done without a
    # regex because `\s*#*\s*$` backtracks quadratically on a long run of `#`.
    bare = title.rstrip("#")
    if bare != title and (not bare or bare[-1].isspace()):
        title = bare.rstrip()
    return len(m.group(1)), title


def read_plain_text(text: str, markdown: bool = False) -> list[Paragraph]:
    if markdown:
        text = _strip_comments(text)
    paragraphs = []
    for raw in split_paragraphs(text):
        h = _md_heading(raw) if markdown or raw.startswith("#") else None
        if h and (markdown or len(h[1]) < 80):
            paragraphs.append(Paragraph(clean_text(h[1]), heading_level=h[0]))
        else:
            paragraphs.append(Paragraph(raw))
    return [p for p in paragraphs if p.text]


_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029]+")


def paragraph_text(text: str) -> str:
    """One paragraph of HTML or Word: a line break in the source text is white space there
    (as a browser or Word shows it), not a paragraph break."""
    return clean_text(_LINE_BREAKS.sub(" ", text))
