"""The 修改前后对照表 as a Word document: landscape A4, the title and both documents' names and
dates, then one table (修改前 | 修改后 | 说明, its header row repeated on every page) with a row
per aligned unit from :func:`diffreport.sidebyside.rows`.

Changed words carry the character styles ``Comparison Deleted`` (bold, struck through) and
``Comparison Inserted`` (bold, underlined); fonts, sizes and colours come from
``templates/reference.docx``, wording from ``templates/sidebyside.<lang>.j2``.
"""

from __future__ import annotations

from pathlib import PurePath

from docx.oxml.ns import nsdecls, qn

from .. import __version__
from ..errors import printable
from ..model import Document
from ..result import Alignment, Comparison
from ..sidebyside import Cell, Row, document_date, rows
from .ooxml import (
    TABLE_HEADER_FILL,
    TextTables,
    generation_time,
    run_xml,
    set_core_properties,
    xml_attr,
)
from .templates import Setup, setup, wording

# Landscape A4; the margins of GB/T 9704 turned with the page (binding edge on the left).
PAGE_MM = (297, 210)
MARGINS_MM = {"top": 28, "bottom": 26, "left": 37, "right": 35}
# Column widths in mm: the two texts share what the note column leaves.
NOTE_MM = 34
HEADER_FILL = TABLE_HEADER_FILL
HEADING_FILL = "F2F2F2"
MARK_STYLE = {"delete": "Comparison Deleted", "insert": "Comparison Inserted"}
TWIPS_PER_MM = 1440 / 25.4


_NSDECL = nsdecls("w")


def _twips(mm: float) -> str:
    return str(round(mm * TWIPS_PER_MM))


class _Table:
    def __init__(self, c: Comparison, ready: Setup | Ahead, level: str, changed_only: bool) -> None:
        self.c = c
        if isinstance(ready, Ahead):
            self.rows = ready.rows_of(c, level, changed_only)
            ready = ready.setup
        else:
            self.rows = rows(c, level, changed_only)
        self.lang = lang = ready.lang
        self.changed_only = changed_only
        self.words = wording(lang, "sidebyside")
        self.labels = self.words.labels
        self.genre = c.new.genre if c.new.genre == c.old.genre else "generic"
        self.when = generation_time()
        self.doc = ready.doc
        self.body = body = self.doc.element.body
        self.sect_pr = body.find(qn("w:sectPr"))
        self._ids = {s.name: s.style_id for s in self.doc.styles}
        self._para_starts: dict[str, str] = {}  # a paragraph's opening tags by style
        self._cell_starts: dict[tuple, str] = {}  # a cell's opening tags by its properties

    # ------------------------------------------------------------- elements
    # The table is written as WordprocessingML text and parsed once: a 1 MB pair has some
    # 120 000 elements, and building each through python-docx took most of the time.

    def para(self, style: str, runs: list[tuple[str, str | None]] = ()) -> str:  # type: ignore[assignment]
        start = self._para_starts.get(style)
        if start is None:
            start = f'<w:p><w:pPr><w:pStyle w:val="{xml_attr(self._ids[style])}"/></w:pPr>'
            self._para_starts[style] = start
        out = [start]
        for text, char_style in runs:
            if text:
                out.append(run_xml(text, self._ids[char_style] if char_style else None))
        out.append("</w:p>")
        return "".join(out)

    def add(self, xml: str) -> None:
        from docx.oxml.parser import parse_xml

        # Parsed inside a wrapper that declares the namespace, then moved into the body.
        element = parse_xml(f"<w:body {_NSDECL}>{xml}</w:body>")[0]
        self.sect_pr.addprevious(element)

    def cell(
        self,
        paragraphs: list[str],
        width_mm: float,
        span: int = 1,
        vmerge: str | None = None,
        fill: str | None = None,
    ) -> str:
        key = (width_mm, span, vmerge, fill)
        start = self._cell_starts.get(key)
        if start is None:  # (a few kinds of cell in the whole table: made once each)
            props = [f'<w:tcW w:w="{_twips(width_mm)}" w:type="dxa"/>']
            if span > 1:
                props.append(f'<w:gridSpan w:val="{span}"/>')
            if vmerge is not None:
                props.append(
                    '<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>"
                )
            if fill:
                props.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>')
            start = self._cell_starts[key] = f"<w:tc><w:tcPr>{''.join(props)}</w:tcPr>"
        body = "".join(paragraphs) if paragraphs else self.para("Comparison Text")
        return f"{start}{body}</w:tc>"

    def tr(self, cells: list[str], header: bool = False, keep: bool = False) -> str:
        props = ""
        if header or keep:
            props = '<w:trPr><w:cantSplit w:val="true"/>'
            if header:
                props += '<w:tblHeader w:val="true"/>'
            props += "</w:trPr>"
        return f"<w:tr>{props}{''.join(cells)}</w:tr>"

    def texts(self, cells: list[Cell], style: str = "Comparison Text") -> list:
        """A side's nodes as paragraphs (a line break in a unit, such as between the 款 of
        an article, starts a paragraph: a justified line before a break would be spread
        out), changed words in their character styles."""
        out = []
        for cell in cells:
            segments = cell.segments
            if len(segments) == 1 and "\n" not in segments[0][1]:  # one run (most cells)
                mark, text = segments[0]
                out.append(self.para(style, [(text, MARK_STYLE.get(mark))]))
                continue
            lines: list[list[tuple[str, str | None]]] = [[]]
            for mark, text in cell.segments:
                for i, piece in enumerate(text.split("\n")):
                    if i:
                        lines.append([])
                    lines[-1].append((piece, MARK_STYLE.get(mark)))
            out += [self.para(style, runs) for runs in lines]
        return out

    # ------------------------------------------------------------- parts

    def page(self) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm

        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        for side, mm in MARGINS_MM.items():
            setattr(section, f"{side}_margin", Mm(mm))
        self.text_mm = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]

    def title(self) -> None:
        c, lb = self.c, self.labels
        old_title = c.old.title or printable(c.old.path)
        new_title = c.new.title or printable(c.new.path)
        self.add(self.para("Title", [(str(self.words.title(old_title, new_title)), None)]))
        for key, doc in (("old_doc", c.old), ("new_doc", c.new)):
            date = document_date(doc)
            name = printable(PurePath(doc.path).name) if doc.path else ""
            parts = [doc.title or name, date, name if doc.title else ""]
            sep = "　" if self.lang == "zh" else " · "
            colon = "：" if self.lang == "zh" else ": "
            line = f"{lb[key]}{colon}" + sep.join(p for p in parts if p)
            self.add(self.para("Subtitle", [(line, None)]))
        meta = f"{lb['generated']} {self.when:%Y-%m-%d} · diffreport {__version__}"
        self.add(self.para("Subtitle", [(meta, None)]))
        legend = lb["legend_changed_only" if self.changed_only else "legend"]
        self.add(self.para("Comparison Note", [(legend, None)]))

    def table(self, tables: TextTables) -> None:
        """The table, written row by row through ``tables``' stream (the last of the body):
        parsed and moved into the document, lxml spent seconds reconciling the namespaces
        of a 1 MB pair's 100 000 elements; as text, the document before it is deflated on
        a second core while the rows are made (:meth:`TextTables.stream`)."""
        lb = self.labels
        text_mm = (self.text_mm - NOTE_MM) / 2
        widths = [text_mm, text_mm, NOTE_MM]
        head = [lb["col_old"], lb["col_new"], lb["col_note"]]
        write = tables.stream().write
        write(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{xml_attr(self._ids["Table Grid"])}"/>'
            f'<w:tblW w:w="{_twips(self.text_mm)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            "</w:tblPr><w:tblGrid>"
            + "".join(f'<w:gridCol w:w="{_twips(w)}"/>' for w in widths)
            + "</w:tblGrid>"
            + self.tr(
                [
                    self.cell([self.para("Comparison Header", [(h, None)])], w, fill=HEADER_FILL)
                    for h, w in zip(head, widths, strict=True)
                ],
                header=True,
            )
        )
        for row in self.rows:
            write("".join(self.row(row, widths)))
        write("</w:tbl>")

    def note(self, row: Row) -> list:
        text = str(self.words.remark(row, self.genre)).strip()
        return [self.para("Comparison Note", [(text, None)])] if text else []

    def row(self, row: Row, widths: list[float]) -> list:
        full = sum(widths)
        if row.kind == "collapsed":
            text = str(self.words.collapsed(row, self.genre)).strip()
            p = self.para("Comparison Heading", [(text, None)])
            return [self.tr([self.cell([p], full, span=3)])]
        if row.kind == "heading":
            if row.same_heading and not row.moved:
                text = row.new[0].text
                p = self.para("Comparison Heading", [(text, None)])
                return [self.tr([self.cell([p], full, span=3, fill=HEADING_FILL)], keep=True)]
            cells = [
                self.cell(self.texts(side, "Comparison Heading"), w, fill=HEADING_FILL)
                for side, w in ((row.old, widths[0]), (row.new, widths[1]))
            ]
            cells.append(self.cell(self.note(row), widths[2], fill=HEADING_FILL))
            return [self.tr(cells, keep=True)]
        if row.kind == "moved-away":
            text = str(self.words.moved_away(row)).strip()
            left = [self.para("Comparison Note", [(text, None)])]
            return [
                self.tr(
                    [
                        self.cell(left, widths[0]),
                        self.cell([], widths[1]),
                        self.cell(self.note(row), widths[2]),
                    ]
                )
            ]
        old = [self.texts([c]) for c in row.old]  # each node's paragraphs
        new = [self.texts([c]) for c in row.new]
        if len(old) <= 1 and len(new) <= 1 or (len(old) > 1 and len(new) > 1):
            return [
                self.tr(
                    [
                        self.cell(sum(old, []), widths[0]),
                        self.cell(sum(new, []), widths[1]),
                        self.cell(self.note(row), widths[2]),
                    ]
                )
            ]
        # Split (one old unit, several new) or merged (the reverse): one table row per part,
        # the single side and the note spanning them (vertically merged cells).
        single_old = len(old) == 1
        single, parts = (old[0], new) if single_old else (new[0], old)
        out = []
        for i, part in enumerate(parts):
            merge = "restart" if i == 0 else "continue"
            spanning = self.cell(
                single if i == 0 else [], widths[0 if single_old else 1], vmerge=merge
            )
            own = self.cell(part, widths[1 if single_old else 0])
            note = self.cell(self.note(row) if i == 0 else [], widths[2], vmerge=merge)
            out.append(self.tr([spanning, own, note] if single_old else [own, spanning, note]))
        return out

    def render(self) -> bytes:
        c = self.c
        set_core_properties(self.doc, str(self.words.title(c.old.title, c.new.title)), self.when)
        self.page()
        if self.lang != "zh":
            from docx.enum.text import WD_ALIGN_PARAGRAPH

            # Justified Latin text in a narrow column opens rivers of space (as the briefing).
            style = self.doc.styles["Comparison Text"]
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        self.title()
        tables = TextTables(self.doc)
        try:
            self.table(tables)
            return tables.save(self.when)
        finally:
            tables.close()


def prepare(old: Document, new: Document, lang: str = "auto") -> Setup:
    """The 对照表's set-up from the two documents alone (:func:`templates.setup`), for
    ``compare(meanwhile=…)``: made while the comparison waits for its side work."""
    return setup(old, new, lang, "sidebyside")


class Ahead:
    """The 对照表's set-up and its rows (:func:`sidebyside.rows`: they need only the two
    documents and their alignments), made before the comparison is done
    (:func:`prepare_ahead`, for ``compare(meanwhile=…)``, while it waits for its side work),
    for that comparison at that level (:meth:`rows_of`)."""

    def __init__(
        self,
        old: Document,
        new: Document,
        alignments: list[Alignment],
        lang: str,
        level: str,
        changed_only: bool,
    ) -> None:
        self.setup = prepare(old, new, lang)
        self._made_of = (old, new, alignments, level, changed_only)
        self._rows = rows(Comparison(old, new, alignments), level, changed_only)

    def rows_of(self, c: Comparison, level: str, changed_only: bool) -> list[Row]:
        """The rows, for the comparison and the view they were made for (else an error)."""
        old, new, alignments, made_level, made_changed_only = self._made_of
        if c.old is not old or c.new is not new or c.alignments is not alignments:
            raise ValueError("the 对照表's set-up was made from another comparison")
        if (level, changed_only) != (made_level, made_changed_only):
            raise ValueError(
                f"the 对照表's rows were made for level={made_level!r},"
                f" changed_only={made_changed_only}"
            )
        return self._rows


def prepare_ahead(
    old: Document,
    new: Document,
    alignments: list[Alignment],
    lang: str = "auto",
    level: str = "block",
    changed_only: bool = False,
) -> Ahead:
    """The 对照表's set-up and rows (:class:`Ahead`), for ``compare(meanwhile=…)``."""
    return Ahead(old, new, alignments, lang, level, changed_only)


def render(
    c: Comparison,
    lang: str = "auto",
    level: str = "block",
    changed_only: bool = False,
    ready: Setup | Ahead | None = None,
) -> bytes:
    """The 对照表 as .docx bytes; ``lang`` zh, en or auto (from the documents' script),
    ``level`` block or sentence (one row per block or per sentence alignment),
    ``changed_only`` folds runs of unchanged units into one row each; ``ready``: the set-up
    made beforehand (:func:`prepare`, or :func:`prepare_ahead` with the rows), whose
    language it is."""
    if ready is None:
        ready = prepare(c.old, c.new, lang)
    return _Table(c, ready, level, changed_only).render()
