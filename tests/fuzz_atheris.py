"""Coverage-guided fuzzing of the readers with atheris (libFuzzer), for sessions outside CI.

atheris is not a dependency of the project; use a separate environment:

    python3 -m venv /tmp/fz && /tmp/fz/bin/pip install atheris lxml beautifulsoup4 charset-normalizer
    PYTHONPATH=. /tmp/fz/bin/python tests/fuzz_atheris.py -max_total_time=300 -rss_limit_mb=2048 \
        -timeout=10 /tmp/fz-corpus tests/fuzz_corpus

The first byte of an input chooses how the rest is read: as .txt, .md, .html or .docx bytes,
or packed into a .docx as word/document.xml, word/numbering.xml or word/styles.xml. The same
contract as tests/test_fuzz_readers.py applies: clean paragraphs, or an InputError. Save what a
run finds (crash-*, timeout-*) under tests/fuzz_corpus/ with the right extension.
"""

from __future__ import annotations

import io
import sys
import zipfile

import atheris

with atheris.instrument_imports():
    from diffreport.errors import InputError
    from diffreport.parse import parse
    from diffreport.readers import read_bytes

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOCUMENT = (
    f'<w:document xmlns:w="{_W}"><w:body><w:p><w:pPr><w:pStyle w:val="H"/><w:numPr>'
    '<w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>正文。</w:t></w:r>'
    "</w:p></w:body></w:document>"
).encode()
_NAMES = ["a.txt", "a.md", "a.html", "a.docx"]
_PARTS = ["document", "numbering", "styles"]
_BAD = {
    chr(c)
    for c in [
        *range(0x20),
        *range(0x7F, 0xA0),
        *range(0xD800, 0xE000),
        0x2028,
        0x2029,
        0xFEFF,
        0xFFFE,
    ]
}


def _pack(part: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", data if part == "document" else _DOCUMENT)
        if part != "document":
            zf.writestr(f"word/{part}.xml", data)
    return buf.getvalue()


def one_input(data: bytes) -> None:
    if not data:
        return
    mode, body = data[0] % 7, data[1:]
    if mode < 4:
        blob, name = body, _NAMES[mode]
    else:
        blob, name = _pack(_PARTS[mode - 4], body), "a.docx"
    try:
        src = read_bytes(blob, name)
    except InputError as exc:
        assert "\n" not in str(exc) and "; " in str(exc), str(exc)
        return
    for p in src.paragraphs:
        assert p.text and p.text == p.text.strip(), p
        assert not (set(p.text) & _BAD), p
    parse(src)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
