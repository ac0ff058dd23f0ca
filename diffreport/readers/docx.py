"""Word .docx: paragraphs with heading levels (from styles or outline levels) and list numbering
as Word renders it. The archive and its XML are untrusted: sizes and ratios are checked before
unpacking, and XML is parsed without DTDs, entities or network access."""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import InputError
from ..model import Paragraph
from .text import paragraph_text

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a .docx may unpack to at most this much
MAX_ZIP_RATIO = 200  # … and, above 10 MB unpacked, at most this many times its packed size
MAX_XML_DEPTH = 256  # libxml2's own limit without XML_PARSE_HUGE


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
        text = paragraph_text(text)
        if text:
            paragraphs.append(
                Paragraph(text, heading_level=level, numbering=paragraph_text(num_text))
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
