"""Documents laid out as offices lay them out, printed to PDF by LibreOffice, for the PDF and
wrapped-text tests (and for measuring the PDF libraries).

A Chinese plan or statute becomes a .docx the way a government office types one (GB/T 9704:
A4, 37/35/28/26 mm margins, a running header holding the title, a `— N —` page number in the
footer, a 22 pt centred title, 16 pt 仿宋 body with a two-character first-line indent and a
fixed 28 pt line pitch, centred bold chapter headings, bold `（一）` headings), then a PDF
through `soffice --headless --convert-to pdf`, then the `pdftotext` text of that PDF. English
text is wrapped at 72 columns (as licences and RFCs are) and printed the same way.

Which source paragraphs are headings is read from the source's own markup: a Markdown `#`
line, or a line diffreport's heading detector recognises in a plain-text plan (`一、…`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

BODY_PT = 16
TITLE_PT = 22


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def source_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(kind, text) for each paragraph of a seed or law: kind is title, h1, h2 or body."""
    from diffreport.parse import detect_heading, find_title
    from diffreport.readers import read

    paragraphs = [p for p in read(path).paragraphs if p.text.strip()]
    title = find_title(paragraphs)
    out: list[tuple[str, str]] = []
    for p in paragraphs:
        if p.heading_level == 1 or p.text == title:
            out.append(("title", p.text))
            continue
        heading = detect_heading(p)
        if heading is None:
            out.append(("body", p.text))
        elif heading.key in ("part", "chapter", "cn-section", "cn-ordinal") or (
            heading.explicit_level is not None and heading.explicit_level <= 2
        ):
            out.append(("h1", p.text))
        else:
            out.append(("h2", p.text))
    return out


def _east_asian(run, font: str) -> None:
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)


def _page_field(paragraph) -> None:
    """`— N —`: the page number as a PAGE field between em dashes."""
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._element.append(fld)
            if kind == "separate":
                t = OxmlElement("w:t")
                t.text = "1"
                run._element.append(t)
    paragraph.add_run(" —")


def office_docx(paragraphs: list[tuple[str, str]], target: Path, english: bool = False) -> Path:
    """A .docx of (kind, text) paragraphs in an office layout (see the module's docstring)."""
    doc = WordDocument()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(15)
    title = next((t for k, t in paragraphs if k == "title"), "")
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header.add_run(title[:40]).font.size = Pt(10.5)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(footer)
    for run in footer.runs:
        run.font.size = Pt(14)
    body_font = "Times New Roman" if english else "仿宋"
    for kind, text in paragraphs:
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(18 if english else 28)
        run = p.add_run(text)
        size = {"title": TITLE_PT, "h1": BODY_PT, "h2": BODY_PT}.get(kind, BODY_PT)
        run.font.size = Pt(12 if english and kind == "body" else size)
        if kind == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.line_spacing = Pt(40)
            fmt.space_after = Pt(16)
            run.bold = True
            _east_asian(run, "方正小标宋简体")
        elif kind == "h1":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold = True
            fmt.space_before = Pt(8)
            _east_asian(run, "黑体")
        elif kind == "h2":
            run.bold = True
            fmt.first_line_indent = Pt(2 * BODY_PT)
            _east_asian(run, "楷体")
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            fmt.first_line_indent = Pt(24 if english else 2 * BODY_PT)
            _east_asian(run, body_font)
            if english:
                fmt.space_after = Pt(8)
    doc.save(target)
    return target


def to_pdf(docx_files: list[Path], out_dir: Path) -> list[Path]:
    """Print .docx files to PDF with LibreOffice in one run (its start-up costs seconds)."""
    exe = soffice()
    assert exe is not None
    profile = out_dir / "lo-profile"
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *map(str, docx_files),
        ],
        check=True,
        capture_output=True,
        timeout=600,
        env={**os.environ, "HOME": str(out_dir)},
    )
    return [out_dir / (f.stem + ".pdf") for f in docx_files]


def pdftotext(pdf: Path, layout: bool = False) -> Path:
    target = pdf.with_name(pdf.stem + (".layout" if layout else "") + ".pdftotext.txt")
    cmd = ["pdftotext", *(["-layout"] if layout else []), str(pdf), str(target)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return target


def wrap_english(paragraphs: list[tuple[str, str]], width: int = 72) -> str:
    """Plain text wrapped at `width` columns, paragraphs separated by blank lines (a licence)."""
    out = []
    for kind, text in paragraphs:
        if kind == "body":
            out.append(textwrap.fill(text, width))
        else:
            out.append(text)
    return "\n\n".join(out) + "\n"


def english_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(kind, text) of a Markdown text without its Markdown: `#` lines are headings."""
    import re

    out: list[tuple[str, str]] = []
    for block in re.split(r"\n\s*\n|\n(?=#)|(?<=\n)(?=[^\n]*\n#)", path.read_text("utf-8")):
        for line in block.strip().split("\n"):
            line = line.strip()
            if not line:
                continue
            m = re.match(r"(#+)\s+(.*)", line)
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", m.group(2) if m else line)
            text = re.sub(r"[*_]{1,2}([^*_]+)[*_]{1,2}", r"\1", text)
            if m:
                out.append(("title" if len(m.group(1)) == 1 else "h1", text))
            else:
                out.append(("body", text))
    return out


def build(sources: dict[str, tuple[Path, bool]], out_dir: Path) -> dict[str, Path]:
    """name → PDF for each (source, english) in `sources`, made in `out_dir` (kept when there)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = []
    for name, (path, english) in sources.items():
        if (out_dir / f"{name}.pdf").exists():
            continue
        paragraphs = english_paragraphs(path) if english else source_paragraphs(path)
        todo.append(office_docx(paragraphs, out_dir / f"{name}.docx", english=english))
    if todo:
        to_pdf(todo, out_dir)
    return {name: out_dir / f"{name}.pdf" for name in sources}


def _rtf_text(text: str) -> str:
    return "".join(
        ch if ord(ch) < 128 else f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?"
        for ch in text
    )


def footnote_rtf(target: Path, body: str, note: str, after: str, second: str) -> Path:
    """An RTF document whose first paragraph carries a real footnote (LibreOffice sets it at
    the page's foot, smaller, under a rule): `body` + mark + `after`, then `second`."""
    rtf = (
        "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Noto Sans CJK SC;}}\\f0\\fs32 "
        + _rtf_text(body)
        + "{\\super\\chftn}{\\footnote\\pard\\plain\\f0\\fs20 {\\super\\chftn} "
        + _rtf_text(note)
        + "}"
        + _rtf_text(after)
        + "\\par "
        + _rtf_text(second)
        + "\\par}"
    )
    target.write_text(rtf, encoding="ascii")
    return target


def table_docx(target: Path, before: str, rows: list[tuple[str, ...]], after: str) -> Path:
    """A .docx with a bordered table between two paragraphs."""
    doc = WordDocument()
    doc.add_paragraph(before)
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    doc.add_paragraph(after)
    doc.save(target)
    return target
