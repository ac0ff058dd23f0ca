"""Bounded fuzzing of the readers: whatever the bytes, a reader returns clean paragraphs or
raises an InputError with a one-line message; it never crashes, hangs or lets a character
through that the .docx writer would reject. What the structure parser and the comparison
make of the result must not crash either.

tests/fuzz_corpus/ keeps interesting inputs (seeds for mutation and anything a fuzz run found);
each is replayed here. ``*.document.xml`` / ``*.numbering.xml`` are parts of a .docx and are
packed into one before reading. Longer runs: ``DIFFREPORT_FUZZ_SCALE=50 pytest
tests/test_fuzz_readers.py`` (hypothesis, 50 times the examples), or the atheris harness
``tests/fuzz_atheris.py``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffreport.compare import compare
from diffreport.errors import InputError
from diffreport.parse import parse
from diffreport.readers import read_bytes

CORPUS = Path(__file__).parent / "fuzz_corpus"
SCALE = int(os.environ.get("DIFFREPORT_FUZZ_SCALE", "1"))


def fuzz(examples: int):
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


# Characters no paragraph may hold: controls (the .docx writer rejects most, and a terminal
# would obey them), line breaks (a paragraph is one line), lone surrogates, non-characters.
# Bidi controls too: they reorder what is shown, so what is shown would not be what was compared.
_FORBIDDEN = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def check_read(data: bytes, name: str):
    """The readers' contract; returns the SourceText, or None for a refused input."""
    try:
        src = read_bytes(data, name)
    except InputError as exc:
        message = str(exc)
        assert message.startswith(name) and "; " in message, message
        assert "\n" not in message and "\r" not in message
        return None
    assert src.paragraphs
    for p in src.paragraphs:
        assert p.text and p.text == p.text.strip(), p
        assert not _FORBIDDEN.search(p.text + p.numbering), p
        assert p.heading_level is None or 1 <= p.heading_level <= 9, p
    parse(src)
    return src


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MINIMAL_DOCUMENT = (
    f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>正文。</w:t></w:r></w:p></w:body></w:document>'
).encode()


def pack_docx(document: bytes = _MINIMAL_DOCUMENT, **parts: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", document)
        for part, data in parts.items():
            zf.writestr(f"word/{part}.xml", data)
    return buf.getvalue()


def as_input(path: Path) -> tuple[bytes, str]:
    """A corpus file as (bytes, name) for read_bytes: XML parts are packed into a .docx."""
    data = path.read_bytes()
    if path.name.endswith(".document.xml"):
        return pack_docx(data), path.name + ".docx"
    for part in ("numbering", "styles"):
        if path.name.endswith(f".{part}.xml"):
            return pack_docx(**{part: data}), path.name + ".docx"
    return data, path.name


CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name != "README.md")


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus(path):
    check_read(*as_input(path))


def test_corpus_docx_reads_as_word_shows_it():
    """Tracked changes accepted, text boxes once, tabs and breaks as spaces, numbering kept."""
    texts = [
        (p.text, p.numbering) for p in read_bytes(*as_input(CORPUS / "sample.docx")).paragraphs
    ]
    assert ("保留新增合并后的段落 tab break", "") in texts
    assert [t for t, _ in texts].count("文本框") == 1
    assert ("Item two in English.", "2.") in texts
    assert not any("删除" in t or "移走" in t for t, _ in texts)


# --- raw bytes under every name ------------------------------------------------------------

NAMES = ["a.txt", "a.md", "a.html", "a.docx", "a", "a.doc"]


@fuzz(150)
@given(st.binary(max_size=3000), st.sampled_from(NAMES))
def test_any_bytes(data, name):
    check_read(data, name)


@fuzz(60)
@given(st.sampled_from(CORPUS_FILES), st.data())
def test_mutated_corpus_bytes(path, data):
    """Byte-level mutations of the corpus: flips, cuts, insertions, duplicated slices."""
    blob, name = as_input(path)
    blob = bytearray(blob)
    for _ in range(data.draw(st.integers(1, 8))):
        if not blob:
            break
        at = data.draw(st.integers(0, len(blob) - 1))
        kind = data.draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        if kind == "flip":
            blob[at] ^= 1 << data.draw(st.integers(0, 7))
        elif kind == "cut":
            del blob[at : at + data.draw(st.integers(1, 64))]
        elif kind == "insert":
            blob[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        else:
            blob[at:at] = blob[at : at + data.draw(st.integers(1, 256))]
    check_read(bytes(blob), name)


# --- structured inputs: text in any encoding, XML inside a valid .docx, HTML ----------------

_PIECES = st.sampled_from(
    [
        "一、总体要求", "（一）", "第一章 总则", "第一条 ", "1.", "# ", "## ", "总则", "。", "，",
        "；", "“", "”", "Section 1", "The plan.", " ", "\n", "\r\n", "\n\n", "\t", "\x0c",
        "\x00", "\x1b[0m", "\u200b", "\ufeff", "\u2028", "\x85", "總則", "ＡＢＣ１２３",
        "<!--", "-->", "[bookmark: _GoBack]", "#" * 30, "<p>", "</p>", "<div>", "&amp;",
        "𠀀", "\U0001f600", "\ue000", "a" * 200, "发展" * 50, "\u202e", "\u2066", "\u2069",
        "中 " * 40,
    ]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=40).map("".join)


@fuzz(80)
@given(
    _TEXT,
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le"]),
    st.sampled_from(["a.txt", "a.md", "a.html"]),
)
def test_text_in_any_encoding(text, encoding, name):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    src = check_read(data, name)
    if src is not None and encoding.startswith("utf-8") and name != "a.html":
        # a text that was read is compared with itself as the same
        assert compare(src, src).same


_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_XML_PIECES = st.sampled_from(
    [
        "<w:p>", "</w:p>", "<w:r>", "</w:r>", "<w:t>", "</w:t>", "<w:t>文字</w:t>",
        '<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>', '<w:pPr><w:outlineLvl w:val="9"/></w:pPr>',
        '<w:pPr><w:outlineLvl w:val="99999999999999999999"/></w:pPr>',
        '<w:pPr><w:numPr><w:ilvl w:val="-1"/><w:numId w:val="1"/></w:numPr></w:pPr>',
        '<w:pPr><w:rPr><w:del w:id="1"/></w:rPr></w:pPr>', "<w:del>", "</w:del>", "<w:ins>",
        "</w:ins>", "<w:delText>删</w:delText>", "<w:moveFrom>", "</w:moveFrom>", "<w:tab/>",
        "<w:br/>", "&#13;", "&#10;", "&#0;", "&#x1;", "&amp;", "&lt;", "<!-- c -->",
        "<![CDATA[x]]>", "<?pi x?>", "<!DOCTYPE x>", '<!ENTITY e "x">', "&e;", "\x00", "\ufffe",
        "<w:txbxContent>", "</w:txbxContent>", 'xmlns:w="bad"', "<x:y>", "</x:y>",
        '<w:pPr><w:outlineLvl w:val="²"/></w:pPr>', '<w:pPr><w:numPr><w:ilvl w:val="٣"/>'
        '<w:numId w:val="1"/></w:numPr></w:pPr>', "<!-- <!DOCTYPE x> -->",
        f'<mc:AlternateContent xmlns:mc="{_MC}"><mc:Choice Requires="wps">',
        "</mc:Choice><mc:Fallback>", "</mc:Fallback></mc:AlternateContent>",
    ]
)  # fmt: skip


@fuzz(80)
@given(st.lists(st.one_of(_XML_PIECES, st.text(max_size=10)), max_size=60))
def test_document_xml_inside_a_valid_docx(pieces):
    body = "".join(pieces)
    xml = f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>'
    check_read(pack_docx(xml.encode("utf-8", "surrogatepass")), "a.docx")


@fuzz(40)
@given(st.lists(st.one_of(_XML_PIECES, st.text(max_size=10)), max_size=40))
def test_numbering_and_styles_inside_a_valid_docx(pieces):
    body = "".join(pieces).encode("utf-8", "surrogatepass")
    numbering = (
        (
            f'<w:numbering xmlns:w="{_W}"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0">'
            '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1%9%0、"/></w:lvl></w:abstractNum>'
            '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        ).encode()
        + body
        + b"</w:numbering>"
    )
    document = (
        f'<w:document xmlns:w="{_W}"><w:body><w:p><w:pPr><w:pStyle w:val="H"/><w:numPr>'
        '<w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>条文。</w:t></w:r>'
        "</w:p></w:body></w:document>"
    ).encode()
    styles = (
        (f'<w:styles xmlns:w="{_W}"><w:style w:styleId="H"><w:name w:val="heading 2"/>').encode()
        + body
        + b"</w:style></w:styles>"
    )
    check_read(pack_docx(document, numbering=numbering, styles=styles), "a.docx")


_TAGS = st.sampled_from(
    ["div", "p", "li", "h1", "h3", "td", "b", "span", "script", "pre", "table", "br", "head"]
)
# Markup that html.parser choked on (quadratic time, or an internal error), DTDs and entities.
_HTML_PIECES = st.sampled_from(
    [
        "<a ", "</", "<?", "<!", "<![", "<![CDATA[", "]]>", "<!--", "-->", "<!DOCTYPE html>",
        '<!DOCTYPE x [<!ENTITY e "x">]>', "&e;", "&amp;", "&nbsp;", "&#0;", "&#x202e;", "\x00",
        "<p", "<p>", "</p>", "<br/>", "<meta charset='gbk'>", "<?xml version='1.0'?>", "<",
        ">", '"', "=",
    ]
)  # fmt: skip


@st.composite
def html(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 6 and draw(st.booleans()):
            tag = draw(_TAGS)
            parts.append(f"<{tag}>{draw(html(depth + 1))}</{tag}>")
        else:
            parts.append(draw(st.one_of(_PIECES, _HTML_PIECES, st.text(max_size=10))))
    return "".join(parts)


@fuzz(60)
@given(html())
def test_html(doc):
    check_read(f"<html><body>{doc}</body></html>".encode("utf-8", "surrogatepass"), "a.html")


@fuzz(40)
@given(st.lists(_HTML_PIECES, min_size=1, max_size=5), st.integers(1, 3000), st.data())
def test_html_of_repeated_markup(pieces, times, data):
    """Repeats of broken markup, around a paragraph that must survive them (if it is outside)."""
    junk = "".join(pieces) * times
    before = data.draw(st.booleans())
    page = "<html><body><p>正文。</p>" + junk if before else junk + "<p>正文。</p>"
    src = check_read(page.encode("utf-8", "surrogatepass"), "a.html")
    if before and "\x00" not in junk:  # NULs make a short file binary, by design
        assert src is not None and src.paragraphs[0].text == "正文。"
