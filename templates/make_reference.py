"""Build templates/reference.docx, the style sheet every briefing and redline is written with.

    .venv/bin/python templates/make_reference.py

Like pandoc's ``--reference-doc``: the writers take their styles, page size and margins from
this file, so restyling it in Word (or re-running this script with other choices) restyles
every briefing. Chinese typography follows GB/T 9704-2012 (party and government documents):
A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; 黑体 for first-level headings,
楷体 for the second level, 仿宋 for the third level and the text; the Latin fallback is
Times New Roman. Built from python-docx's default template, so the output is reproducible.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from diffreport.writers.ooxml import (  # noqa: E402
    field_runs,
    reproducible,
    set_core_properties,
)

LATIN = "Times New Roman"
LATIN_HEAD = "Arial"
BLACK = RGBColor(0, 0, 0)


def fonts(style, east_asia: str, latin: str = LATIN) -> None:
    """Set all four font slots, dropping theme fonts (which would win over explicit names)."""
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def paragraph_style(doc, name: str, base: str = "Normal"):
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base] if base and base != name else None
    style.quick_style = True
    return style


def character_style(doc, name: str, color: RGBColor | None = None, **flags):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
    style.quick_style = True
    if color is not None:
        style.font.color.rgb = color
    for flag, value in flags.items():
        setattr(style.font, flag, value)
    return style


def first_line_indent_chars(style, size_pt: float, chars: int = 2) -> None:
    """First-line indent of two characters (Chinese paragraph convention): in character units
    for Word, and in twips for readers that ignore them (LibreOffice)."""
    ind = style.element.get_or_add_pPr().get_or_add_ind()  # in schema order
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(int(size_pt * 20 * chars)))


def build() -> bytes:
    doc = Document()
    # Page: A4, GB/T 9704 margins, page number 7 mm below the text block.
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)

    normal = doc.styles["Normal"]
    fonts(normal, "仿宋")
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.25
    lang = OxmlElement(
        "w:lang", attrs={qn("w:val"): "en-US", qn("w:eastAsia"): "zh-CN", qn("w:bidi"): "ar-SA"}
    )
    normal.element.get_or_add_rPr().append(lang)

    body = paragraph_style(doc, "Body Text")
    body.paragraph_format.space_after = Pt(4)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    first_line_indent_chars(body, 14)

    title = paragraph_style(doc, "Title")
    fonts(title, "宋体")
    title.font.size = Pt(22)
    title.font.bold = True
    title.font.color.rgb = BLACK
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(12)
    title.paragraph_format.space_after = Pt(12)
    pbdr = title.element.pPr.find(qn("w:pBdr"))
    if pbdr is not None:  # python-docx's Title has a blue rule under it
        title.element.pPr.remove(pbdr)

    subtitle = paragraph_style(doc, "Subtitle")
    fonts(subtitle, "楷体")
    subtitle.font.size = Pt(12)
    subtitle.font.italic = False
    subtitle.font.color.rgb = BLACK
    subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.paragraph_format.space_after = Pt(2)

    for level, (east, size, bold) in enumerate(
        [("黑体", 16, False), ("楷体", 15, True), ("仿宋", 14, True)], start=1
    ):
        h = paragraph_style(doc, f"Heading {level}")
        fonts(h, east, LATIN_HEAD if level == 1 else LATIN)
        h.font.size = Pt(size)
        h.font.bold = bold
        h.font.italic = False
        h.font.color.rgb = BLACK
        h.paragraph_format.space_before = Pt(14 if level == 1 else 10)
        h.paragraph_format.space_after = Pt(6)
        h.paragraph_format.keep_with_next = True

    # Not based on Heading 1: the contents heading must stay out of the contents.
    toc_heading = paragraph_style(doc, "TOC Heading")
    for child in list(toc_heading.element.pPr if toc_heading.element.pPr is not None else []):
        if child.tag in (qn("w:outlineLvl"), qn("w:numPr")):
            toc_heading.element.pPr.remove(child)
    fonts(toc_heading, "黑体", LATIN_HEAD)
    toc_heading.font.size = Pt(16)
    toc_heading.font.color.rgb = BLACK
    toc_heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    toc_heading.paragraph_format.space_after = Pt(12)
    for level in (1, 2):
        toc = paragraph_style(doc, f"TOC {level}")
        toc.font.size = Pt(13 - level)
        toc.paragraph_format.line_spacing = 1.1
        toc.paragraph_format.left_indent = Mm(8 * (level - 1))
        toc.paragraph_format.space_after = Pt(2)
        toc.paragraph_format.tab_stops.add_tab_stop(
            Mm(156), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        if level == 1:
            fonts(toc, "黑体", LATIN_HEAD)

    meta = paragraph_style(doc, "Briefing Meta")
    fonts(meta, "楷体")
    meta.font.size = Pt(12)
    meta.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    table_text = paragraph_style(doc, "Table Text")
    fonts(table_text, "仿宋")
    table_text.font.size = Pt(10.5)
    table_text.paragraph_format.line_spacing = 1.0
    table_text.paragraph_format.space_before = Pt(1)
    table_text.paragraph_format.space_after = Pt(1)
    table_head = paragraph_style(doc, "Table Heading", "Table Text")
    fonts(table_head, "黑体", LATIN_HEAD)
    table_head.font.bold = True

    item = paragraph_style(doc, "Briefing Item")
    item.font.size = Pt(11)
    item.paragraph_format.line_spacing = 1.1
    item.paragraph_format.left_indent = Mm(7)
    item.paragraph_format.first_line_indent = Mm(-5)
    item.paragraph_format.space_after = Pt(1)
    label = paragraph_style(doc, "Briefing Label")
    fonts(label, "黑体", LATIN_HEAD)
    label.font.size = Pt(12)
    label.paragraph_format.space_before = Pt(6)
    label.paragraph_format.space_after = Pt(2)
    label.paragraph_format.keep_with_next = True
    note = paragraph_style(doc, "Briefing Note")
    fonts(note, "楷体")
    note.font.size = Pt(12)
    note.paragraph_format.space_after = Pt(4)

    # The appendix: the whole document as tracked changes, smaller, with its own heading
    # styles so its headings stay out of the briefing's outline and table of contents.
    redline = paragraph_style(doc, "Redline Text")
    redline.font.size = Pt(12)
    redline.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    redline.paragraph_format.space_after = Pt(4)
    first_line_indent_chars(redline, 12)
    for level, east in enumerate(["黑体", "楷体", "仿宋"], start=1):
        rh = paragraph_style(doc, f"Redline Heading {level}", "Redline Text")
        fonts(rh, east, LATIN_HEAD if level == 1 else LATIN)
        rh.font.bold = level > 1
        rh.paragraph_format.first_line_indent = Pt(0)
        rh.paragraph_format.keep_with_next = True
        rh.paragraph_format.space_before = Pt(6)

    footer = doc.styles["Footer"]
    fonts(footer, "宋体")
    footer.font.size = Pt(14)
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    comment_text = paragraph_style(doc, "Comment Text")
    comment_text.element.set(qn("w:styleId"), "CommentText")
    comment_text.font.size = Pt(10)
    comment_text.paragraph_format.line_spacing = 1.0
    ref = doc.styles.add_style("Comment Reference", WD_STYLE_TYPE.CHARACTER)
    ref.element.set(qn("w:styleId"), "CommentReference")
    ref.font.size = Pt(8)

    # Inline diffs and change marks: restyle these to change the colours everywhere.
    character_style(doc, "Inserted Text", RGBColor(0x1F, 0x4E, 0xD8), underline=True)
    character_style(doc, "Deleted Text", RGBColor(0xC0, 0x00, 0x00), strike=True)
    character_style(doc, "Change Raised", RGBColor(0xC0, 0x00, 0x00), bold=True)
    character_style(doc, "Change Lowered", RGBColor(0x00, 0x70, 0x30), bold=True)
    character_style(doc, "Change Same", RGBColor(0x59, 0x59, 0x59))
    character_style(doc, "Change New", RGBColor(0x1F, 0x4E, 0xD8), bold=True)
    character_style(doc, "Change Dropped", RGBColor(0x7F, 0x7F, 0x7F), bold=True)
    character_style(doc, "Change Reworded", RGBColor(0xB0, 0x6A, 0x00), bold=True)

    # The 修改前后对照表 (`diffreport table`): a landscape table, 仿宋 小四 (12 pt) text,
    # 黑体 column heads and chapter rows, 楷体 notes; deletions bold and struck through,
    # insertions bold and underlined, as legislative 对照表 mark them.
    comparison = paragraph_style(doc, "Comparison Text", "Table Text")
    comparison.font.size = Pt(12)
    comparison.paragraph_format.line_spacing = 1.15
    comparison.paragraph_format.space_before = Pt(2)
    comparison.paragraph_format.space_after = Pt(2)
    comparison.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    header = paragraph_style(doc, "Comparison Header", "Comparison Text")
    fonts(header, "黑体", LATIN_HEAD)
    header.font.size = Pt(14)
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    chapter = paragraph_style(doc, "Comparison Heading", "Comparison Text")
    fonts(chapter, "黑体", LATIN_HEAD)
    chapter.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    chapter.paragraph_format.keep_with_next = True
    cnote = paragraph_style(doc, "Comparison Note", "Comparison Text")
    fonts(cnote, "楷体")
    cnote.font.size = Pt(10.5)
    cnote.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    character_style(doc, "Comparison Deleted", RGBColor(0xC0, 0x00, 0x00), bold=True, strike=True)
    character_style(
        doc, "Comparison Inserted", RGBColor(0x1F, 0x4E, 0xD8), bold=True, underline=True
    )

    # Page numbers centred in the footer, "— 1 —" as in GB/T 9704.
    footer_p = section.footer.paragraphs[0]
    footer_p.style = footer
    footer_p.add_run("— ")
    for r in field_runs("PAGE", "1"):
        footer_p._p.append(r)
    footer_p.add_run(" —")

    when = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    set_core_properties(doc, "diffreport reference", when)
    buf = io.BytesIO()
    doc.save(buf)
    return reproducible(buf.getvalue(), when)


if __name__ == "__main__":
    out = HERE / "reference.docx"
    out.write_bytes(build())
    print(f"wrote {out}")
