"""Word .docx: paragraphs with heading levels (from styles or outline levels) and list numbering
as Word renders it. The archive and its XML are untrusted: sizes and ratios are checked before
unpacking, and XML is parsed without DTDs, entities or network access."""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import InputError
from ..model import Paragraph
from ..parse import check_units, max_units
from .text import paragraph_text

# The XML parts read (document, styles, numbering) may unpack to at most this much, counted as
# they are inflated. Their tree costs up to ~22 times their size in memory (measured on
# `<w:p/>` repeated), so this keeps a hostile file under 1 GB; Word's XML for a
# 1,000-page text is a fraction of it (images are not read).
MAX_UNZIPPED_BYTES = 32 * 1024 * 1024
MAX_ZIP_RATIO = 200  # … and, above 10 MB unpacked, at most this many times its packed size
MAX_XML_DEPTH = 256  # libxml2's own limit without XML_PARSE_HUGE
PARTS_READ = ("word/document.xml", "word/styles.xml", "word/numbering.xml")
_INFLATE_CHUNK = 1 << 20


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_RESAVE = "open it in Word and save it again as .docx"


def _refuse_dtd(name: str, part: str) -> InputError:
    return InputError(
        name,
        f"{part} declares a DTD or entities, which Word never writes and which are refused"
        " (they can expand without limit or read other files)",
        _RESAVE,
    )


def _safe_parse(data: bytes, name: str, part: str):
    from lxml import etree

    if _declares_dtd(data):
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


# What may stand before a DTD: white space, processing instructions and comments (atomic
# repeats: nothing to backtrack into, one pass in C however long the prolog).
_PROLOG = re.compile(rb"(?:\s++|<\?.*?\?>|<!--.*?-->)*+", re.S)


def _declares_dtd(data: bytes) -> bool:
    """Does the prolog (before the root element) hold a `<!DOCTYPE`? Only there can a DTD
    stand: a comment or text that merely mentions one is not one."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:2] in (b"<\x00", b"\x00<"):
        # UTF-16 (Word never writes it, but XML allows it): the prolog is read as text.
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            enc = "utf-16"
        else:
            enc = "utf-16-le" if data[:1] == b"<" else "utf-16-be"
        data = data.decode(enc, "replace").encode("utf-8", "replace")
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    end = _PROLOG.match(data).end()  # type: ignore[union-attr]  # `*+` always matches
    return data.startswith(b"<!DOCTYPE", end)


def zip_part(zf: zipfile.ZipFile, part: str, name: str, budget: list[int]) -> bytes | None:
    """One part, inflated in chunks and counted against ``budget`` (bytes left for all the
    parts): what stops the reading is what was inflated, not what the archive declares."""
    try:
        info = zf.getinfo(part)
    except KeyError:
        return None
    try:
        # zipfile also stops at the declared size and checks the CRC, so a lying header ends
        # in an error.
        chunks = []
        with zf.open(info) as fh:
            while chunk := fh.read(min(_INFLATE_CHUNK, budget[0] + 1)):
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise _too_big(name, f"more than {MAX_UNZIPPED_BYTES:,}", None)
                chunks.append(chunk)
        return b"".join(chunks)
    except InputError:
        raise
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
    # A quick refusal on what the archive *declares* for the parts read (the reading itself
    # counts what is inflated); images and other parts are never unpacked.
    infos = [i for i in zf.infolist() if i.filename in PARTS_READ]
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNZIPPED_BYTES or (total > 10 * 1024 * 1024 and total / packed > MAX_ZIP_RATIO):
        zf.close()
        raise _too_big(name, f"{total:,}", packed)
    return zf


def _too_big(name: str, size: str, packed: int | None) -> InputError:
    ratio = f" from {packed:,}" if packed else ""
    return InputError(
        name,
        f"would unpack to {size} bytes of XML{ratio}, over the limits for a .docx"
        f" ({MAX_UNZIPPED_BYTES:,} bytes, {MAX_ZIP_RATIO} times packed): a zip bomb?",
        "refused; if the document is genuine, " + _RESAVE,
    )


def read_docx_bytes(data: bytes, name: str = "<input>") -> list[Paragraph]:
    budget = [MAX_UNZIPPED_BYTES]
    with _open_zip(data, name) as zf:
        body = zip_part(zf, "word/document.xml", name, budget)
        if body is None:
            raise InputError(
                name, "is a zip archive without word/document.xml, not a Word document", _RESAVE
            )
        styles = zip_part(zf, "word/styles.xml", name, budget)
        numbering = zip_part(zf, "word/numbering.xml", name, budget)
    root = _safe_parse(body, name, "word/document.xml")
    _choose_alternatives(root)
    styles_root = _safe_parse(styles, name, "word/styles.xml") if styles else None
    heading_styles = _heading_styles(styles_root)
    style_numbering = _style_numbering(styles_root)
    numberer = _Numberer(_safe_parse(numbering, name, "word/numbering.xml") if numbering else None)
    paragraphs: list[Paragraph] = []
    limit = max_units()
    carry = ""  # text of paragraphs whose mark is a tracked deletion: it joins the next one
    # Every paragraph counts, empty ones too (Word's own count): a tree of millions of empty
    # paragraphs is refused at the limit rather than walked.
    for count, p in enumerate(root.iter(f"{W}p"), 1):
        if count > limit:
            check_units(name, count, "paragraphs (empty ones too)", limit, counted_all=False)
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


def _choose_alternatives(root) -> None:
    """Keep one branch of each `mc:AlternateContent` (Word gives a text box twice: as a
    `wps` shape and as a VML fallback), as a consumer of Markup Compatibility does: the first
    branch that holds paragraphs or text, else the first."""
    for alternative in list(root.iter(f"{MC}AlternateContent")):
        branches = list(alternative)
        keep = next(
            (b for b in branches if next(b.iter(f"{W}p", f"{W}t"), None) is not None),
            branches[0] if branches else None,
        )
        for branch in branches:
            if branch is not keep:
                alternative.remove(branch)


def _level_number(val: str | None) -> int | None:
    """A level attribute as Word writes it: ASCII digits (`"²".isdigit()` is true)."""
    return int(val) if val and val.isascii() and val.isdigit() else None


def _outline_level(outline) -> int | None:
    """`w:outlineLvl` 0–8 is a heading level 1–9; 9 means body text."""
    val = _level_number(outline.get(f"{W}val") if outline is not None else None)
    return val + 1 if val is not None and val < 9 else None


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
    """Renders list numbering as Word shows it (`1.`, `（一）`, `第三条`), counting as it goes.

    Linear in the size of numbering.xml and the document: each abstract list's levels are read
    once however many lists share it, and counters are kept per list."""

    def __init__(self, root) -> None:
        # numId → {level: (numFmt, lvlText)}, shared by the lists of one abstract list.
        self.formats: dict[str, dict[int, tuple[str, str]]] = {}
        # numId → [count at level 0, 1, …] up to the level last numbered.
        self.counters: dict[str, list[int]] = {}
        if root is None:
            return
        abstract: dict[str | None, dict[int, tuple[str, str]]] = {}
        for a in root.iter(f"{W}abstractNum"):
            levels: dict[int, tuple[str, str]] = {}
            for lvl in a.iter(f"{W}lvl"):
                ilvl = _level_number(lvl.get(f"{W}ilvl"))
                if ilvl is None or ilvl > _MAX_LIST_LEVEL:
                    continue
                fmt = lvl.find(f"{W}numFmt")
                txt = lvl.find(f"{W}lvlText")
                levels[ilvl] = (
                    fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
                    txt.get(f"{W}val", "") if txt is not None else "",
                )
            abstract[a.get(f"{W}abstractNumId")] = levels
        for num in root.iter(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            levels = abstract.get(ref.get(f"{W}val")) if ref is not None else None
            if levels is not None:
                self.formats[num.get(f"{W}numId", "")] = levels

    def text_for(self, ppr, style_numpr=None) -> str:
        numpr = ppr.find(f"{W}numPr")
        if numpr is None:
            numpr = style_numpr
        if numpr is None:
            return ""
        num_el, ilvl_el = numpr.find(f"{W}numId"), numpr.find(f"{W}ilvl")
        num_id = num_el.get(f"{W}val", "") if num_el is not None else ""
        level = _level_number(ilvl_el.get(f"{W}val", "0") if ilvl_el is not None else "0")
        levels = self.formats.get(num_id)
        if levels is None or level not in levels:
            return ""
        # This level counts one more; the deeper levels start again.
        counts = self.counters.setdefault(num_id, [])
        del counts[level + 1 :]
        counts.extend([0] * (level + 1 - len(counts)))
        counts[level] += 1
        fmt, template = levels[level]
        if fmt == "bullet":
            return ""

        def render(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            n = counts[lv] if 0 <= lv < len(counts) and counts[lv] else 1
            lv_fmt = levels.get(lv, ("decimal", ""))[0]
            if lv_fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional"):
                return _chinese_number(n)
            if lv_fmt == "lowerLetter":
                return chr(ord("a") + (n - 1) % 26)
            if lv_fmt == "upperLetter":
                return chr(ord("A") + (n - 1) % 26)
            return str(n)

        return _LEVEL_REF.sub(render, template)


_MAX_LIST_LEVEL = 8  # Word's lists have levels 0–8
_LEVEL_REF = re.compile(r"%([0-9])")
