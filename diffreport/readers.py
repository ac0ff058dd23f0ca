"""Readers: bytes on disk → :class:`SourceText` (paragraphs). The only input I/O in the package.

One function per format; :func:`read` picks by extension (then by content). Every failure is an
:class:`InputError` with a message a user can act on.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from .errors import InputError
from .model import Paragraph, SourceText
from .normalise import clean_text, split_paragraphs

MAX_INPUT_BYTES = 50 * 1024 * 1024  # override with --max-size / DIFFREPORT_MAX_BYTES
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_XML_DEPTH = 256

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read(path: str | Path, max_bytes: int | None = None) -> SourceText:
    """Read a file of any supported format into paragraphs."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError(name, "no such file", "check the path")
    if path.is_dir():
        raise InputError(name, "is a directory, not a document", "give a file")
    limit = MAX_INPUT_BYTES if max_bytes is None else max_bytes
    size = path.stat().st_size
    if size > limit:
        raise InputError(
            name, f"file is {size} bytes, over the {limit}-byte limit", "raise --max-size"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(name, f"cannot be read: {exc.strerror}") from None
    return read_bytes(data, name)


def read_bytes(data: bytes, name: str = "<input>") -> SourceText:
    suffix = Path(name).suffix.lower()
    if data.startswith(_OLE_MAGIC):
        raise InputError(
            name, "is an encrypted or legacy (OLE) Word file", "save it as .docx without a password"
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
        raise InputError(name, "has no text", "is it empty, or a scanned image?")
    return SourceText(paragraphs=paragraphs, path=name, format=fmt, encoding=encoding)


# --- plain text and Markdown ---------------------------------------------------------------


def decode(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Decode bytes whose encoding is unknown: BOMs first, then UTF-8, then detection."""
    if not data.strip():
        raise InputError(name, "is empty")
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
                    name, f"starts with a {enc} byte-order mark but is not {enc}"
                ) from None
    if b"\x00" in data[:4096] and not _looks_utf16(data):
        raise InputError(
            name, "looks like a binary file, not text", "convert it to .txt, .md, .docx or .html"
        )
    try:
        text = data.decode("utf-8")
        if _plausible(text):
            return text, "utf-8"
        raise InputError(
            name, "looks like a binary file, not text", "convert it to .txt, .md, .docx or .html"
        )
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
        raise InputError(
            name, "looks like a binary file, not text", "convert it to .txt, .md, .docx or .html"
        )
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


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def read_plain_text(text: str, markdown: bool = False) -> list[Paragraph]:
    if markdown:
        text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    paragraphs = []
    for raw in split_paragraphs(text):
        m = _MD_HEADING.match(raw) if markdown or raw.startswith("#") else None
        if m and (markdown or len(m.group(2)) < 80):
            paragraphs.append(Paragraph(clean_text(m.group(2)), heading_level=len(m.group(1))))
        else:
            paragraphs.append(Paragraph(raw))
    return [p for p in paragraphs if p.text]


# --- HTML -------------------------------------------------------------------------------------

_HTML_BLOCKS = [
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "li",
    "td",
    "th",
    "pre",
    "blockquote",
    "dt",
    "dd",
]


def read_html_text(text: str) -> list[Paragraph]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    paragraphs: list[Paragraph] = []
    for el in soup.find_all(_HTML_BLOCKS + ["div"]):
        # A div is a paragraph only when it holds text directly (not through other blocks).
        if el.find(_HTML_BLOCKS + ["div"]):
            continue
        content = clean_text(el.get_text(" "))
        if not content:
            continue
        level = int(el.name[1]) if re.fullmatch(r"h[1-6]", el.name) else None
        paragraphs.append(Paragraph(content, heading_level=level))
    if not paragraphs:
        paragraphs = [Paragraph(p) for p in split_paragraphs(soup.get_text("\n"))]
    return paragraphs


# --- DOCX -------------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _safe_parse(data: bytes, name: str, part: str):
    from lxml import etree

    if b"<!DOCTYPE" in data[:2000] or b"<!ENTITY" in data[:4000]:
        raise InputError(
            name,
            f"{part} declares a DTD or entities, which are refused",
            "re-save the file in Word",
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(
            name, f"{part} is not well-formed XML ({exc.msg})", "re-save the file in Word"
        ) from None
    depth = _depth(root)
    if depth > MAX_XML_DEPTH:
        raise InputError(
            name, f"{part} is nested {depth} levels deep, over the limit of {MAX_XML_DEPTH}"
        )
    return root


def _depth(root) -> int:
    deepest = 0
    stack = [(root, 1)]
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        if d <= MAX_XML_DEPTH:
            stack.extend((child, d + 1) for child in el)
    return deepest


def _zip_part(zf: zipfile.ZipFile, part: str, name: str) -> bytes | None:
    try:
        info = zf.getinfo(part)
    except KeyError:
        return None
    try:
        with zf.open(info) as fh:
            data = fh.read(MAX_UNZIPPED_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise InputError(name, f"is a damaged .docx ({exc})", "re-save it in Word") from None
    if len(data) > MAX_UNZIPPED_BYTES:
        raise InputError(name, f"{part} unpacks to over {MAX_UNZIPPED_BYTES} bytes (a zip bomb?)")
    return data


def read_docx_bytes(data: bytes, name: str = "<input>") -> list[Paragraph]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(
            name, "is not a valid .docx (not a zip archive, or truncated)", "re-save it in Word"
        ) from None
    with zf:
        total = sum(i.file_size for i in zf.infolist())
        packed = max(1, sum(i.compress_size for i in zf.infolist()))
        if (
            total > MAX_UNZIPPED_BYTES
            or total / packed > MAX_ZIP_RATIO
            and total > 10 * 1024 * 1024
        ):
            raise InputError(
                name, f"unpacks to {total} bytes from {packed} (a zip bomb?)", "refused"
            )
        body = _zip_part(zf, "word/document.xml", name)
        if body is None:
            raise InputError(
                name, "has no word/document.xml: not a Word document", "save it as .docx"
            )
        styles = _zip_part(zf, "word/styles.xml", name)
        numbering = _zip_part(zf, "word/numbering.xml", name)
        root = _safe_parse(body, name, "word/document.xml")
        styles_root = _safe_parse(styles, name, "styles") if styles else None
        heading_styles = _heading_styles(styles_root)
        style_numbering = _style_numbering(styles_root)
        numberer = _Numberer(_safe_parse(numbering, name, "numbering") if numbering else None)
    paragraphs = []
    for p in root.iter(f"{W}p"):
        text = "".join(_run_texts(p))
        ppr = p.find(f"{W}pPr")
        level = None
        num_text = ""
        if ppr is not None:
            style = ppr.find(f"{W}pStyle")
            if style is not None:
                level = heading_styles.get(style.get(f"{W}val", ""))
            outline = ppr.find(f"{W}outlineLvl")
            if level is None and outline is not None and outline.get(f"{W}val", "").isdigit():
                level = int(outline.get(f"{W}val")) + 1
            num_text = numberer.text_for(
                ppr, style_numbering.get(style.get(f"{W}val", "")) if style is not None else None
            )
        text = clean_text(text)
        if text:
            paragraphs.append(Paragraph(text, heading_level=level, numbering=num_text))
    return paragraphs


def _run_texts(p):
    for el in p.iter():
        tag = el.tag
        if tag == f"{W}t" and el.text:
            # deleted runs hold w:delText, not w:t, so tracked deletions are skipped.
            yield el.text
        elif tag == f"{W}tab":
            yield " "
        elif tag in (f"{W}br", f"{W}cr"):
            yield " "


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
            outline = style.find(f"{W}pPr/{W}outlineLvl")
            if outline is not None and outline.get(f"{W}val", "").isdigit():
                levels[sid] = int(outline.get(f"{W}val")) + 1
    return levels


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
