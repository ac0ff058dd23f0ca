"""Readers: bytes on disk → :class:`SourceText` (paragraphs). The only input I/O in the package.

One function per format; :func:`read` picks by extension (then by content). Every failure is an
:class:`InputError` with a message a user can act on. Inputs are untrusted: sizes are limited
before anything is unpacked, XML is parsed without DTDs, entities or network access, and every
walk over a tree is iterative, so no input can exhaust memory, time or the stack.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from pathlib import Path

from .errors import InputError, SettingsError
from .model import Paragraph, SourceText
from .normalise import clean_text, split_paragraphs

MAX_INPUT_BYTES = 50 * 1024 * 1024  # override with --max-size / DIFFREPORT_MAX_BYTES
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a .docx may unpack to at most this much
MAX_ZIP_RATIO = 200  # … and, above 10 MB unpacked, at most this many times its packed size
MAX_XML_DEPTH = 256  # libxml2's own limit without XML_PARSE_HUGE

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_FORMATS = "convert it to .txt, .md, .docx or .html"
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", re.I)


def parse_size(value: str | int) -> int:
    """`50000000`, `50M`, `50MB`, `512k`, `1G` → bytes (binary multiples, like `du`)."""
    if isinstance(value, int):
        if value <= 0:
            raise SettingsError(f"size limit {value} must be positive")
        return value
    m = _SIZE.fullmatch(value)
    if not m or float(m.group(1)) <= 0:
        raise SettingsError(f"{value!r} is not a size; give bytes, e.g. 50000000, 50M or 1G")
    factor = 1024 ** " kmg".index(m.group(2).lower() or " ")
    return int(float(m.group(1)) * factor)


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
        # Bounded even when the size is unknown (a pipe, a device).
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(
            name, f"cannot be read ({exc.strerror})", "check that you may read it"
        ) from None
    if len(data) > limit:
        raise _too_large(name, "more than " + f"{limit:,}", limit)
    return read_bytes(data, name)


def read_bytes(data: bytes, name: str = "<input>") -> SourceText:
    suffix = Path(name).suffix.lower()
    if data.startswith(_OLE_MAGIC):
        raise InputError(
            name,
            "is a password-protected or old-style (.doc) Word file",
            "open it in Word, remove the password and save it as .docx",
        )
    if suffix == ".docx" or (data[:2] == b"PK" and suffix not in (".txt", ".md", ".html", ".htm")):
        paragraphs = read_docx_bytes(data, name)
        fmt = "docx"
        encoding = "utf-8"
    else:
        text, encoding = decode(data, name)
        if suffix in (".html", ".htm") or re.match(r"\s*<(!doctype html|html)", text[:200], re.I):
            paragraphs, fmt = read_html_text(text), "html"
        else:
            fmt = "md" if suffix in (".md", ".markdown") else "txt"
            paragraphs = read_plain_text(text, markdown=fmt == "md")
    if not any(p.text for p in paragraphs):
        raise InputError(
            name,
            "has no text",
            "check it is the right file; a scanned document needs OCR first",
        )
    return SourceText(paragraphs=paragraphs, path=name, format=fmt, encoding=encoding)


# --- plain text and Markdown ---------------------------------------------------------------


def _binary(name: str) -> InputError:
    return InputError(name, "looks like a binary file, not text", _TEXT_FORMATS)


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


def _plausible(text: str) -> bool:
    """Text, not noise: few control characters and private-use or unassigned code points."""
    if not text:
        return False
    bad = sum(
        1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xE000 <= ord(ch) <= 0xF8FF
    )
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


def _paragraph_text(text: str) -> str:
    """One paragraph of HTML or Word: a line break in the source text is white space there
    (as a browser or Word shows it), not a paragraph break."""
    return clean_text(_LINE_BREAKS.sub(" ", text))


# --- HTML -------------------------------------------------------------------------------------

_HTML_BLOCKS = frozenset(
    ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "blockquote", "dt", "dd"]
)
_HTML_CONTAINERS = _HTML_BLOCKS | {"div"}


def read_html_text(text: str) -> list[Paragraph]:
    from bs4 import BeautifulSoup, Tag

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    elements = [el for el in soup.descendants if isinstance(el, Tag)]
    # A block (or div) is a paragraph only when no other block lies inside it. Computed
    # children-first in one pass: asking each element `find()` is quadratic on nested divs.
    holds_block: set[int] = set()
    for el in reversed(elements):
        if any(
            isinstance(ch, Tag) and (ch.name in _HTML_CONTAINERS or id(ch) in holds_block)
            for ch in el.contents
        ):
            holds_block.add(id(el))
    paragraphs: list[Paragraph] = []
    for el in elements:
        if el.name not in _HTML_CONTAINERS or id(el) in holds_block:
            continue
        content = _paragraph_text(el.get_text(" "))
        if not content:
            continue
        level = int(el.name[1]) if re.fullmatch(r"h[1-6]", el.name) else None
        paragraphs.append(Paragraph(content, heading_level=level))
    if not paragraphs:
        paragraphs = [Paragraph(p) for p in split_paragraphs(soup.get_text("\n"))]
    return paragraphs


# --- DOCX -------------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RESAVE = "open it in Word and save it again as .docx"
# `<!DOCTYPE` and `<!ENTITY` as UTF-8/ASCII and as UTF-16 (either byte order).
_DTD_MARKS = [
    mark.encode(enc)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for enc in ("ascii", "utf-16-le", "utf-16-be")
]


def _refuse_dtd(name: str, part: str) -> InputError:
    return InputError(
        name,
        f"{part} declares a DTD or entities, which Word never writes and which are refused"
        " (they can expand without limit or read other files)",
        _RESAVE,
    )


def _safe_parse(data: bytes, name: str, part: str):
    from lxml import etree

    if any(mark in data for mark in _DTD_MARKS):
        raise _refuse_dtd(name, part)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,  # keeps libxml2's limits: depth 256, text nodes of 10 MB
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        msg = str(exc.msg or exc)
        if "depth" in msg.lower():
            raise InputError(
                name, f"{part} is nested more than {MAX_XML_DEPTH} levels deep", _RESAVE
            ) from None
        if "entit" in msg.lower() or "amplification" in msg.lower():
            raise _refuse_dtd(name, part) from None
        raise InputError(name, f"{part} is not well-formed XML: {msg}", _RESAVE) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise _refuse_dtd(name, part)
    return root


def _zip_part(zf: zipfile.ZipFile, part: str, name: str) -> bytes | None:
    try:
        info = zf.getinfo(part)
    except KeyError:
        return None
    try:
        # zipfile stops at the declared size (checked against the limits before) and checks
        # the CRC, so a lying header ends in an error, not in more data.
        with zf.open(info) as fh:
            return fh.read(MAX_UNZIPPED_BYTES + 1)
    except (RuntimeError, NotImplementedError):
        # RuntimeError: an encrypted zip entry; NotImplementedError: an unknown compression.
        raise InputError(
            name, "is a .docx packed in a way Word does not use (encrypted or unusual)", _RESAVE
        ) from None
    except MemoryError:
        raise
    except Exception as exc:
        # A damaged archive surfaces as many kinds of error (BadZipFile, zlib.error, EOFError,
        # OSError, ...); all mean the same to the user. tests/fuzz_corpus keeps examples.
        raise InputError(
            name, f"is a damaged .docx ({type(exc).__name__}: {exc})", _RESAVE
        ) from None


def _open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception:  # BadZipFile, but also EOFError, ValueError, UnicodeDecodeError (names)
        raise InputError(
            name, "is not a .docx file (not a zip archive, or cut short)", _RESAVE
        ) from None
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    # Limits on what the archive *declares*, before anything is unpacked.
    if total > MAX_UNZIPPED_BYTES or (total > 10 * 1024 * 1024 and total / packed > MAX_ZIP_RATIO):
        zf.close()
        raise InputError(
            name,
            f"would unpack to {total:,} bytes from {packed:,}, over the limits for a .docx"
            f" ({MAX_UNZIPPED_BYTES:,} bytes, {MAX_ZIP_RATIO} times packed): a zip bomb?",
            "refused; if the document is genuine, " + _RESAVE,
        )
    return zf


def read_docx_bytes(data: bytes, name: str = "<input>") -> list[Paragraph]:
    with _open_zip(data, name) as zf:
        body = _zip_part(zf, "word/document.xml", name)
        if body is None:
            raise InputError(
                name, "is a zip archive without word/document.xml, not a Word document", _RESAVE
            )
        styles = _zip_part(zf, "word/styles.xml", name)
        numbering = _zip_part(zf, "word/numbering.xml", name)
    root = _safe_parse(body, name, "word/document.xml")
    styles_root = _safe_parse(styles, name, "word/styles.xml") if styles else None
    heading_styles = _heading_styles(styles_root)
    style_numbering = _style_numbering(styles_root)
    numberer = _Numberer(_safe_parse(numbering, name, "word/numbering.xml") if numbering else None)
    paragraphs = []
    carry = ""  # text of paragraphs whose mark is a tracked deletion: it joins the next one
    for p in root.iter(f"{W}p"):
        text = carry + "".join(_run_texts(p))
        ppr = p.find(f"{W}pPr")
        mark = ppr.find(f"{W}rPr") if ppr is not None else None
        if mark is not None and (
            mark.find(f"{W}del") is not None or mark.find(f"{W}moveFrom") is not None
        ):
            carry = text
            continue
        carry = ""
        level = None
        num_text = ""
        if ppr is not None:
            style = ppr.find(f"{W}pStyle")
            if style is not None:
                level = heading_styles.get(style.get(f"{W}val", ""))
            if level is None:
                level = _outline_level(ppr.find(f"{W}outlineLvl"))
            num_text = numberer.text_for(
                ppr, style_numbering.get(style.get(f"{W}val", "")) if style is not None else None
            )
        text = _paragraph_text(text)
        if text:
            paragraphs.append(
                Paragraph(text, heading_level=level, numbering=_paragraph_text(num_text))
            )
    return paragraphs


_SKIPPED = {f"{W}p", f"{W}del", f"{W}moveFrom"}


def _run_texts(p):
    """The text of one paragraph as Word shows it with all tracked changes accepted (like
    pandoc): deleted and moved-away runs are left out, and so are the paragraphs nested in
    it (text boxes), which :func:`read_docx_bytes` visits on their own."""
    stack = list(reversed(p))
    while stack:
        el = stack.pop()
        tag = el.tag
        if tag in _SKIPPED:
            continue
        if tag == f"{W}t" and el.text:
            yield el.text
        elif tag in (f"{W}tab", f"{W}br", f"{W}cr"):
            yield " "
        stack.extend(reversed(el))


def _style_numbering(root) -> dict[str, object]:
    """Styles that carry list numbering themselves (Word's `List Number`): style id → numPr."""
    out: dict[str, object] = {}
    if root is None:
        return out
    for style in root.iter(f"{W}style"):
        numpr = style.find(f"{W}pPr/{W}numPr")
        if numpr is not None:
            out[style.get(f"{W}styleId", "")] = numpr
    return out


def _heading_styles(root) -> dict[str, int]:
    levels: dict[str, int] = {}
    if root is None:
        return levels
    for style in root.iter(f"{W}style"):
        sid = style.get(f"{W}styleId", "")
        name_el = style.find(f"{W}name")
        sname = (name_el.get(f"{W}val", "") if name_el is not None else "").lower()
        m = re.fullmatch(r"(?:heading|标题)\s*(\d)", sname) or re.fullmatch(
            r"heading(\d)", sid.lower()
        )
        if m:
            levels[sid] = int(m.group(1))
        elif sname == "title":
            levels[sid] = 1
        else:
            level = _outline_level(style.find(f"{W}pPr/{W}outlineLvl"))
            if level is not None:
                levels[sid] = level
    return levels


def _outline_level(outline) -> int | None:
    """`w:outlineLvl` 0–8 is a heading level 1–9; 9 means body text."""
    val = outline.get(f"{W}val", "") if outline is not None else ""
    return int(val) + 1 if val.isdigit() and int(val) < 9 else None


_CN_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


class _Numberer:
    """Renders list numbering as Word shows it (`1.`, `（一）`, `第三条`), counting as it goes."""

    def __init__(self, root) -> None:
        self.formats: dict[tuple[str, str], tuple[str, str]] = {}
        self.counters: dict[tuple[str, int], int] = {}
        if root is None:
            return
        abstract = {}
        for a in root.iter(f"{W}abstractNum"):
            abstract[a.get(f"{W}abstractNumId")] = a
        for num in root.iter(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            a = abstract.get(ref.get(f"{W}val")) if ref is not None else None
            if a is None:
                continue
            for lvl in a.iter(f"{W}lvl"):
                fmt = lvl.find(f"{W}numFmt")
                txt = lvl.find(f"{W}lvlText")
                self.formats[(num.get(f"{W}numId"), lvl.get(f"{W}ilvl"))] = (
                    fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
                    txt.get(f"{W}val", "") if txt is not None else "",
                )

    def text_for(self, ppr, style_numpr=None) -> str:
        numpr = ppr.find(f"{W}numPr")
        if numpr is None:
            numpr = style_numpr
        if numpr is None:
            return ""
        num_el, ilvl_el = numpr.find(f"{W}numId"), numpr.find(f"{W}ilvl")
        num_id = num_el.get(f"{W}val", "") if num_el is not None else ""
        ilvl = ilvl_el.get(f"{W}val", "0") if ilvl_el is not None else "0"
        key = (num_id, ilvl)
        if key not in self.formats:
            return ""
        level = int(ilvl) if ilvl.isdigit() else 0
        self.counters[(num_id, level)] = self.counters.get((num_id, level), 0) + 1
        for deeper in [k for k in self.counters if k[0] == num_id and k[1] > level]:
            del self.counters[deeper]
        fmt, template = self.formats[key]
        if fmt == "bullet":
            return ""

        def render(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            n = self.counters.get((num_id, lv), 1)
            lv_fmt = self.formats.get((num_id, str(lv)), ("decimal", ""))[0]
            if lv_fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional"):
                return _chinese_number(n)
            if lv_fmt == "lowerLetter":
                return chr(ord("a") + (n - 1) % 26)
            if lv_fmt == "upperLetter":
                return chr(ord("A") + (n - 1) % 26)
            return str(n)

        return re.sub(r"%(\d)", render, template)
