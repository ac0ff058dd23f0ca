"""What python-docx does not do, python-docx style: tracked changes (``w:ins``/``w:del`` on
runs and paragraph marks), comments anchored on whole paragraphs, fields (TOC, PAGE), table
header rows, and reproducible packaging.

The friendly API is :class:`Revisions` and :class:`TrackedParagraph`; below them sits a thin
layer of element builders over lxml (``OxmlElement``) that knows the XML and nothing else.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import queue
import re
import threading
import weakref
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from functools import cache

from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import element_class_lookup, oxml_parser
from lxml import etree

from .dates import generation_time

# XML 1.0 forbids C0 controls other than tab/newline/CR, lone surrogates and U+FFFE/U+FFFF.
_INVALID_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_XML_INVALID = re.compile(f"[{_INVALID_CHARS}]")
# What xml_safe drops, _text escapes, or a run writes as an element of its own (tab, breaks):
# a text holding none of them (most runs) is written as it is.
RUN_SPECIAL = re.compile(f"[{_INVALID_CHARS}\t\r\n&<>]")


def xml_safe(text: str) -> str:
    """Text that lxml will accept: the normaliser already drops control characters, but a
    writer must not depend on that."""
    return _XML_INVALID.sub("", text)


def _w3cdtf(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- low level: element builders
# A long briefing builds hundreds of thousands of elements: ``OxmlElement`` parses the
# prefixed tag and builds a namespace map on every call, so the builders below resolve each
# tag once and make children in place (the parent already declares the namespace; the bytes
# written are the same).


@cache
def _tag(nstag: str) -> tuple[str, dict[str, str]]:
    prefix, local = nstag.split(":")
    return f"{{{nsmap[prefix]}}}{local}", {prefix: nsmap[prefix]}


def element(nstag: str, attrs: dict[str, str] | None = None):
    """``OxmlElement(nstag, attrs)``, its tag resolved once."""
    clark, namespaces = _tag(nstag)
    return oxml_parser.makeelement(clark, attrib=attrs, nsmap=namespaces)


def child(parent, nstag: str, attrs: dict[str, str] | None = None):
    """A new last child of ``parent``, as ``parent.append(OxmlElement(nstag, attrs))``."""
    return etree.SubElement(parent, _tag(nstag)[0], attrs)


_VAL, _ID, _AUTHOR, _DATE = qn("w:val"), qn("w:id"), qn("w:author"), qn("w:date")
# python-docx's parser but for dropping blank text (XML text built here has none between
# elements, and a run of spaces is text): its element classes for what it parses.
_XML_PARSER = etree.XMLParser(resolve_entities=False)
_XML_PARSER.set_element_class_lookup(element_class_lookup)
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def text_run(text: str, *, style: str | None = None, deleted: bool = False):
    """A ``w:r`` holding ``text`` (``w:delText`` inside a deletion); tabs become ``w:tab``."""
    r = element("w:r")
    if style:
        child(child(r, "w:rPr"), "w:rStyle", {_VAL: style})
    for i, part in enumerate(xml_safe(text).split("\t")):
        if i:
            child(r, "w:tab")
        if part:
            t = child(r, "w:delText" if deleted else "w:t")
            t.set(_SPACE, "preserve")
            t.text = part
    return r


def plain_run(text: str, style_id: str | None = None):
    """A ``w:r`` as python-docx's ``paragraph.add_run(text)`` then ``run.style`` make it
    (tabs ``w:tab``, line breaks ``w:br``, ``xml:space`` only around outer spaces), built
    directly: python-docx places each child by searching the schema order, a large share
    of a long briefing's time."""
    r = element("w:r")
    if style_id:
        child(child(r, "w:rPr"), "w:rStyle", {_VAL: style_id})
    for piece in _RUN_BREAKS.split(text):
        if piece == "\t":
            child(r, "w:tab")
        elif piece in ("\r", "\n"):
            child(r, "w:br")
        elif piece:
            t = child(r, "w:t")
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(_SPACE, "preserve")
    return r


_RUN_BREAKS = re.compile(r"([\t\r\n])")


def paragraph_style(style_id: str):
    """The ``w:pPr`` that python-docx's ``paragraph.style`` gives an empty paragraph."""
    ppr = element("w:pPr")
    child(ppr, "w:pStyle", {_VAL: style_id})
    return ppr


# ---------------------------------------------------------------- python-docx paragraphs
# What a writer does to a python-docx ``Paragraph`` beyond its public API, so that no writer
# reaches into its element (``paragraph._p``).


def set_style(paragraph, style_id: str) -> None:
    """Give ``paragraph`` the paragraph style ``style_id`` (by id: python-docx resolves a
    name by scanning every style, and a briefing sets thousands)."""
    p = paragraph._p
    if len(p):
        p.get_or_add_pPr().style = style_id
    else:  # a fresh paragraph: python-docx's schema-order search finds nothing
        p.append(paragraph_style(style_id))


def add_text(paragraph, text: str, style_id: str | None = None) -> None:
    """Append ``text`` as one run (:func:`plain_run`) in the character style ``style_id``."""
    paragraph._p.append(plain_run(xml_safe(text), style_id))


def add_elements(paragraph, elements) -> None:
    """Append built elements (field runs, links) to ``paragraph``, in order."""
    p = paragraph._p
    for element in elements:
        p.append(element)


def add_bookmarked_text(paragraph, name: str, bookmark_id: int, text: str) -> None:
    """Append ``text`` as a run inside a bookmark ``name`` (a target of internal links)."""
    p = paragraph._p
    p.append(
        OxmlElement("w:bookmarkStart", attrs={qn("w:id"): str(bookmark_id), qn("w:name"): name})
    )
    paragraph.add_run(text)
    p.append(OxmlElement("w:bookmarkEnd", attrs={qn("w:id"): str(bookmark_id)}))


def replace_paragraph(anchor, paragraphs) -> None:
    """Move ``paragraphs`` to where ``anchor`` stands, in order, and remove ``anchor``."""
    where = anchor._p
    for paragraph in reversed(paragraphs):
        where.addnext(paragraph._p)
    where.getparent().remove(where)


def change_element(tag: str, rev_id: int, author: str, date: str):
    """An empty ``w:ins`` or ``w:del`` (tag) with its revision attributes."""
    return element(tag, {_ID: str(rev_id), _AUTHOR: author, _DATE: date})


def paragraph_rpr(p):
    """The paragraph mark's run properties (``w:pPr/w:rPr``), created in schema order."""
    ppr = p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        # w:rPr comes after everything but sectPr/pPrChange in w:pPr.
        tail = [c for c in ppr if c.tag in (qn("w:sectPr"), qn("w:pPrChange"))]
        if tail:
            tail[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    return rpr


def anchor_comment(p, comment_id: int) -> None:
    """Anchor a comment on the whole paragraph: range start after ``w:pPr``, range end and
    the reference run at the end."""
    start = element("w:commentRangeStart", {_ID: str(comment_id)})
    ppr = p.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    child(p, "w:commentRangeEnd", {_ID: str(comment_id)})
    ref = child(p, "w:r")
    child(child(ref, "w:rPr"), "w:rStyle", {_VAL: "CommentReference"})
    child(ref, "w:commentReference", {_ID: str(comment_id)})


def field_runs(instr: str, result: str = "") -> list:
    """A complex field (``w:fldChar`` begin/separate/end) with a displayed result."""
    begin = OxmlElement("w:r")
    begin.append(OxmlElement("w:fldChar", attrs={qn("w:fldCharType"): "begin"}))
    code = OxmlElement("w:r")
    it = OxmlElement("w:instrText")
    it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    it.text = f" {instr} "
    code.append(it)
    sep = OxmlElement("w:r")
    sep.append(OxmlElement("w:fldChar", attrs={qn("w:fldCharType"): "separate"}))
    end = OxmlElement("w:r")
    end.append(OxmlElement("w:fldChar", attrs={qn("w:fldCharType"): "end"}))
    runs = [begin, code, sep]
    if result:
        runs.append(text_run(result))
    runs.append(end)
    return runs


def field_begin(instr: str, dirty: bool = False) -> list:
    """Begin and separate of a field whose result is the following paragraphs (a TOC);
    ``dirty`` asks Word to recompute it when the document is opened."""
    runs = field_runs(instr)[:3]
    if dirty:
        runs[0][0].set(qn("w:dirty"), "true")
    return runs


def internal_link(bookmark: str, text: str, style: str | None = None):
    """A ``w:hyperlink`` to a bookmark in the same document."""
    link = OxmlElement("w:hyperlink", attrs={qn("w:anchor"): bookmark, qn("w:history"): "1"})
    link.append(text_run(text, style=style))
    return link


def field_end():
    end = OxmlElement("w:r")
    end.append(OxmlElement("w:fldChar", attrs={qn("w:fldCharType"): "end"}))
    return end


def repeat_header_row(row) -> None:
    """Mark a table row as a header row that Word repeats at the top of each page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader", attrs={qn("w:val"): "true"}))
    trpr.append(OxmlElement("w:cantSplit", attrs={qn("w:val"): "true"}))


def keep_row_together(row) -> None:
    """A table row that does not break across pages."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit", attrs={qn("w:val"): "true"}))


def shade_cell(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    tcpr.append(
        OxmlElement(
            "w:shd", attrs={qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill}
        )
    )


TABLE_HEADER_FILL = "D9E2F3"  # the light blue of the header rows in every Word output


# ---------------------------------------------------------------- text tables, as text
# A 1 MB history's unit table has some 20 000 rows: python-docx spent ~1 ms a cell on it (a
# style looked up by name, a width converted and set, a run placed by the schema), 86 s in
# all. :class:`TextTables` writes the XML python-docx makes for the same table as text, and
# puts it into word/document.xml when the package is saved: parsed and moved into the
# document, lxml would reconcile the namespaces of each of its elements.

# Marks a table's place: an attribute no document text can write (text is escaped).
_TABLE_MARK = "diffreportTable"
# python-docx's `doc.add_table` look (first row and column, banded rows).
_TABLE_LOOK = (
    '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
    'w:noHBand="0" w:noVBand="1" w:val="04A0"/>'
)
_EMU_PER_MM = 36_000
_EMU_PER_TWIP = 635


def _runs_xml(value) -> str:
    """A cell's text as one run, or its ``[(text, style id), …]`` as runs."""
    if isinstance(value, str):
        return run_xml(value)
    return "".join(run_xml(t, style) for t, style in value)


def run_xml(text: str, style_id: str | None = None) -> str:
    """:func:`plain_run` as XML text: a ``w:r`` as python-docx's ``add_run(text)`` makes it
    (tabs ``w:tab``, line breaks ``w:br``, ``xml:space`` only around outer spaces)."""
    if text and RUN_SPECIAL.search(text) is None:  # (most runs: nothing to drop or escape)
        style = _run_style(style_id) if style_id else ""
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        return f"<w:r>{style}<w:t{space}>{text}</w:t></w:r>"
    text = xml_safe(text)
    if text and "\t" not in text and "\r" not in text and "\n" not in text:  # most runs
        style = _run_style(style_id) if style_id else ""
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        return f"<w:r>{style}<w:t{space}>{_text(text)}</w:t></w:r>"
    out = ["<w:r>"]
    if style_id:
        out.append(f'<w:rPr><w:rStyle w:val="{xml_attr(style_id)}"/></w:rPr>')
    for piece in _RUN_BREAKS.split(text):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            out.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            out.append(f"<w:t{space}>{_text(piece)}</w:t>")
    if len(out) == 1:
        return "<w:r/>"
    out.append("</w:r>")
    return "".join(out)


@cache
def _run_style(style_id: str) -> str:
    return f'<w:rPr><w:rStyle w:val="{xml_attr(style_id)}"/></w:rPr>'


@cache
def _paragraph_style(style_id: str) -> str:
    return f'<w:pPr><w:pStyle w:val="{xml_attr(style_id)}"/></w:pPr>'


class TextTables:
    """Plain grids of text in ``doc`` (a shaded header row that repeats on every page, then
    one row per item, in the reference document's `Table Heading` and `Table Text` styles),
    written as text; :meth:`save` gives the package with them in place."""

    def __init__(self, doc) -> None:
        self.doc = doc
        self.tables: list[str] = []
        self._style_ids: dict[str, str] = {}
        self._stream: _Stream | None = None

    def _style(self, name: str) -> str:
        if name not in self._style_ids:
            self._style_ids[name] = self.doc.styles[name].style_id
        return self._style_ids[name]

    def add(
        self,
        header: list[str],
        rows: list[list],
        widths_mm: list[float],
        fill: str = TABLE_HEADER_FILL,
        *,
        rows_unsplit: bool = False,
        keep_together: bool = False,
    ) -> None:
        """A table at the end of the body (:meth:`xml`)."""
        self.add_xml(
            self.xml(
                header,
                rows,
                widths_mm,
                fill,
                rows_unsplit=rows_unsplit,
                keep_together=keep_together,
            )
        )

    def add_xml(self, xml: str) -> None:
        """Body content written as XML text (``w:`` paragraphs and tables, no declarations)
        at the end of the body, put in place when the package is saved."""
        self.tables.append(xml)
        self.doc.add_paragraph()._p.set(_TABLE_MARK, str(len(self.tables) - 1))

    def xml(
        self,
        header: list[str],
        rows: list[list],
        widths_mm: list[float],
        fill: str = TABLE_HEADER_FILL,
        *,
        rows_unsplit: bool = False,
        keep_together: bool = False,
    ) -> str:
        """A table as XML text. A cell is text, or runs: ``[(text, character style id or
        None), …]``. ``rows_unsplit``: no row breaks across pages; ``keep_together``: every
        row's paragraphs but the last row's keep with the next (a short table stays on one
        page)."""
        # Widths as python-docx writes them: the grid in whole twips (rounded down), each
        # cell rounded (``Length.twips``).
        emus = [int(w * _EMU_PER_MM) for w in widths_mm]
        grid = "".join(f'<w:gridCol w:w="{e // _EMU_PER_TWIP}"/>' for e in emus)
        widths = [f'<w:tcW w:type="dxa" w:w="{round(e / _EMU_PER_TWIP)}"/>' for e in emus]
        shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{xml_attr(fill)}"/>'
        heading, text = self._style("Table Heading"), self._style("Table Text")
        keep = "<w:keepNext/>" if keep_together and rows else ""
        head_cells = "".join(
            f"<w:tc><w:tcPr>{w}{shade}</w:tcPr><w:p><w:pPr>"
            f'<w:pStyle w:val="{xml_attr(heading)}"/>{keep}</w:pPr>{run_xml(t)}</w:p></w:tc>'
            for w, t in zip(widths, header, strict=True)
        )
        cell_starts = [
            [
                f'<w:tc><w:tcPr>{w}</w:tcPr><w:p><w:pPr><w:pStyle w:val="{xml_attr(text)}"/>'
                f"{kept}</w:pPr>"
                for w in widths
            ]
            for kept in ("", "<w:keepNext/>")
        ]
        row_start = (
            '<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>' if rows_unsplit else "<w:tr>"
        )
        body = [
            row_start
            + "".join(
                f"{start}{_runs_xml(t)}</w:p></w:tc>"
                for start, t in zip(
                    cell_starts[keep_together and n < len(rows) - 1], values, strict=True
                )
            )
            + "</w:tr>"
            for n, values in enumerate(rows)
        ]
        return (
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{xml_attr(self._style("Table Grid"))}"/>'
            f'<w:tblW w:type="auto" w:w="0"/><w:tblLayout w:type="fixed"/>{_TABLE_LOOK}'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
            '<w:tr><w:trPr><w:tblHeader w:val="true"/><w:cantSplit w:val="true"/></w:trPr>'
            f"{head_cells}</w:tr>{''.join(body)}</w:tbl>"
        )

    def stream(self) -> _Stream:
        """Body content at the end of the body, written later piece by piece through the
        stream returned (:meth:`_Stream.write`; nothing may be added to the document after
        it). ``word/document.xml`` up to it is known now, so it is deflated on a second core
        while the rest is written (:class:`Deflater`), and the stream as it comes; the same
        bytes as without, which :meth:`save` checks."""
        if self._stream is not None:
            raise RuntimeError("one stream a document")
        self.add_xml("")
        self._stream = _Stream(self.doc.part.blob, self.tables)  # as saving serializes it
        return self._stream

    def close(self) -> None:
        """Ends a stream's second thread (:meth:`save` does); for a document not saved."""
        if self._stream is not None:
            self._stream.close()

    def save(self, when: dt.datetime) -> bytes:
        """The package, reproducible (:func:`reproducible`), the tables in their places."""
        try:
            # (the main document last: it may wait for its stream's deflating thread)
            return save(self.doc, when, {"word/document.xml": self._put}, "word/document.xml")
        finally:
            self.close()

    def _put(self, data: bytes) -> bytes | _Deflated:
        stream = self._stream
        if stream is not None:
            done = stream.close()
            if done is not None and data == stream.snapshot:
                return done  # the document as it was when the stream began: deflated already
            self.tables[stream.index] = stream.text()
        text = data.decode("utf-8")
        pieces, at = [], 0
        for n, table in enumerate(self.tables):
            mark = f'<w:p {_TABLE_MARK}="{n}"/>'
            where = text.index(mark, at)
            pieces += [text[at:where], table]
            at = where + len(mark)
        pieces.append(text[at:])
        return "".join(pieces).encode("utf-8")


def fixed_layout(table, widths: list[int] | None = None) -> None:
    """Fixed column widths (EMU), so long unbroken text wraps inside its cell instead of
    widening the table; the grid and every cell get the widths (LibreOffice reads the grid,
    Word the cells)."""
    tblpr = table._tbl.tblPr
    if tblpr.find(qn("w:tblLayout")) is None:
        layout = OxmlElement("w:tblLayout", attrs={qn("w:type"): "fixed"})
        # Schema order: tblLayout comes before tblCellMar and tblLook.
        later = [c for c in tblpr if c.tag in (qn("w:tblCellMar"), qn("w:tblLook"))]
        if later:
            later[0].addprevious(layout)
        else:
            tblpr.append(layout)
    if widths is None:
        return
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(w) // 635))  # EMU → twentieths of a point
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = w


def _comment_element(comment_id: int):
    """An empty ``w:comment``, as python-docx's ``CT_Comments.add_comment`` writes it."""
    from docx.oxml.ns import nsdecls
    from docx.oxml.parser import parse_xml

    return parse_xml(
        f'<w:comment {nsdecls("w")} w:id="{comment_id}" w:author="">'
        f"  <w:p>"
        f"    <w:pPr>"
        f'      <w:pStyle w:val="CommentText"/>'
        f"    </w:pPr>"
        f"    <w:r>"
        f"      <w:rPr>"
        f'        <w:rStyle w:val="CommentReference"/>'
        f"      </w:rPr>"
        f"      <w:annotationRef/>"
        f"    </w:r>"
        f"  </w:p>"
        f"</w:comment>"
    )


# ---------------------------------------------------------------- friendly API


class Revisions:
    """Hands out revision ids and stamps author and date on tracked changes and comments.

    ``comments_as_text``: comments are written as XML text and put into the comments part
    when the package is saved by :func:`save` (not by python-docx's own ``save``), the
    same bytes as built as elements (a long briefing has thousands)."""

    def __init__(
        self,
        document,
        author: str = "diffreport",
        when: dt.datetime | None = None,
        *,
        comments_as_text: bool = False,
    ):
        self.document = document
        self.comments_as_text = comments_as_text
        self.author = author
        self.when = when or generation_time()
        self.date = _w3cdtf(self.when)
        # Revision ids in their own range, clear of comment and bookmark ids.
        self._next_id = 10_000
        self._style_ids: dict[str, str] = {}
        self._body_end = None  # the body's w:sectPr, found once
        self._comments = None  # python-docx's comments collection, looked up once
        self._comment_proto = None
        self._next_comment_id = 0
        self._comment_texts: list[str] | None = None  # the comments as text, in order
        # Comments whose wording is to come (:meth:`word_comments`): (place among the
        # texts, id, what words it).
        self._unworded: list[tuple[int, int, Callable[[], str]]] = []
        self._comment_start: tuple[str, str] = ("", "")  # a comment's start tag, around its id
        self._comment_first = ""  # its first paragraph up to the text's run

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add_paragraph(self):
        """A new empty paragraph at the end of the body, as ``document.add_paragraph()``
        makes it; python-docx looks for the body's ``w:sectPr`` among all children on every
        call (quadratic over a long briefing), so it is found once here."""
        from docx.text.paragraph import Paragraph

        body = self.document.element.body
        if self._body_end is None:
            self._body_end = body.find(qn("w:sectPr"))
        p = element("w:p")
        if self._body_end is not None:
            self._body_end.addprevious(p)
        else:
            body.append(p)
        return Paragraph(p, self.document._body)

    def style_id(self, name: str) -> str:
        """A style's id by name (python-docx scans every style per name lookup)."""
        if not self._style_ids:
            self._style_ids = {s.name: s.style_id for s in self.document.styles}
        return self._style_ids[name]

    def paragraph(self, style: str | None = None) -> TrackedParagraph:
        paragraph = self.add_paragraph()
        if style:
            paragraph._p.append(paragraph_style(self.style_id(style)))
        return TrackedParagraph(self, paragraph)

    def append_xml(self, xml: str) -> None:
        """Append body content written as XML text (``w:`` elements, no declarations), parsed
        once, before the body's section properties."""
        body = self.document.element.body
        if self._body_end is None:
            self._body_end = body.find(qn("w:sectPr"))
        holder = etree.fromstring(f'<w:body xmlns:w="{nsmap["w"]}">{xml}</w:body>', _XML_PARSER)
        if self._body_end is not None:
            at = body.index(self._body_end)
            body[at:at] = list(holder)
        else:
            body.extend(list(holder))

    def comment(self, paragraph, text: str | Callable[[], str]) -> None:
        """A Word comment by ``author`` on the whole paragraph (see :meth:`_add_comment`)."""
        anchor_comment(paragraph._p, self._add_comment(text))

    def _add_comment(self, text: str | Callable[[], str]) -> int:
        """A Word comment by ``author`` in python-docx's comments part, shaped as its
        ``add_comment`` makes it, not yet anchored; its id. Ids are counted here, because
        python-docx finds the next id by reading every comment so far (quadratic over
        thousands). ``text`` may be a function that words it: with comments as text, it is
        called by :meth:`word_comments`, which must then come before saving."""
        from docx.comments import Comment

        if self._comments is None:
            self._comments = self.document.comments
            self._next_comment_id = self._comments._comments_elm._next_available_comment_id()
            # Every comment starts as the same element but for its id: made once, copied.
            proto = _comment_element(0)
            proto.author = self.author
            proto.initials = self.author[:2].upper()
            proto.date = self.when
            self._comment_proto = proto
            if self.comments_as_text:
                self._start_comment_texts(proto)
        comments = self._comments
        comment_id = self._next_comment_id
        self._next_comment_id += 1
        if self._comment_texts is not None:
            if callable(text):
                self._unworded.append((len(self._comment_texts), comment_id, text))
                self._comment_texts.append("")
            else:
                self._comment_texts.append(self._comment_xml(comment_id, text))
            return comment_id
        if callable(text):
            text = text()
        elm = copy.deepcopy(self._comment_proto)
        elm.set(_ID, str(comment_id))
        comments._comments_elm.append(elm)
        text = xml_safe(text)
        if text:
            first, *rest = text.split("\n")
            elm[0].append(plain_run(first))  # the first paragraph's run, as add_run makes it
            comment = Comment(elm, comments._comments_part)
            for line in rest:
                comment.add_paragraph(text=line)
        return comment_id

    def word_comments(self) -> None:
        """The comments given a function for their text (:meth:`_add_comment`), worded now:
        a briefing words its thousands of comments once its main document is all written,
        while a second thread finishes deflating it (:meth:`TextTables.stream`)."""
        texts = self._comment_texts
        for at, comment_id, say in self._unworded:
            texts[at] = self._comment_xml(comment_id, say())  # type: ignore[index]
        self._unworded = []

    def _start_comment_texts(self, proto) -> None:
        """The comments part gets a mark where the comments' text goes on saving; the text
        around a comment's id and its first paragraph are taken from the prototype as lxml
        writes it (escapes and attribute order included)."""
        xml = etree.tostring(proto, encoding="unicode").replace(f' xmlns:w="{nsmap["w"]}"', "", 1)
        end = xml.index(">") + 1
        before, after = xml[:end].split(' w:id="0"', 1)
        self._comment_start = (before + ' w:id="', '"' + after)
        self._comment_first = xml[end : -len("</w:p></w:comment>")]
        self._comment_texts = []
        part = self._comments._comments_part
        mark = element("w:p", {_TEXT_MARK: str(len(_TEXT_PARTS.get(part, ())))})
        self._comments._comments_elm.append(mark)
        _TEXT_PARTS.setdefault(part, []).append(self._comment_texts)

    def _comment_xml(self, comment_id: int, text: str) -> str:
        """A comment as :meth:`_add_comment` builds it, as XML text: the prototype's first
        paragraph with the text's first line as a run (``plain_run``), then one paragraph
        a further line, as python-docx's ``Comment.add_paragraph(text=line)`` makes it."""
        before, after = self._comment_start
        out = [before, str(comment_id), after, self._comment_first]
        text = xml_safe(text)
        if text:
            first, *rest = text.split("\n")
            out.append(run_xml(first))
            out.append("</w:p>")
            for line in rest:
                out.append(_COMMENT_PARAGRAPH)
                if line:
                    out.append(run_xml(line))
                out.append("</w:p>")
        else:
            out.append("</w:p>")
        out.append("</w:comment>")
        return "".join(out)


class TrackedParagraph:
    """A paragraph assembled from equal, inserted and deleted text, with a tracked or plain
    paragraph mark."""

    def __init__(self, revisions: Revisions, paragraph):
        self.revisions = revisions
        self.paragraph = paragraph
        self._p = paragraph._p

    def equal(self, text: str, style: str | None = None) -> None:
        if text:
            self._p.append(text_run(text, style=style))

    def insert(self, text: str, style: str | None = None) -> None:
        if text:
            rv = self.revisions
            ins = change_element("w:ins", rv._id(), rv.author, rv.date)
            ins.append(text_run(text, style=style))
            self._p.append(ins)

    def delete(self, text: str, style: str | None = None) -> None:
        if text:
            rv = self.revisions
            dele = change_element("w:del", rv._id(), rv.author, rv.date)
            dele.append(text_run(text, style=style, deleted=True))
            self._p.append(dele)

    def move(self, op: str, text: str, name: str, style: str | None = None) -> None:
        """Moved text: ``move-from`` (its old place) or ``move-to`` (its new place); Word pairs
        the two by ``name`` and shows them as a move, not as a deletion and an insertion."""
        if not text:
            return
        rv = self.revisions
        kind = "moveFrom" if op == "move-from" else "moveTo"
        range_id = rv._id()
        child(
            self._p,
            f"w:{kind}RangeStart",
            {_ID: str(range_id), _AUTHOR: rv.author, _DATE: rv.date, qn("w:name"): name},
        )
        wrapper = change_element(f"w:{kind}", rv._id(), rv.author, rv.date)
        wrapper.append(text_run(text, style=style))  # moved text is w:t, not w:delText
        self._p.append(wrapper)
        child(self._p, f"w:{kind}RangeEnd", {_ID: str(range_id)})

    def add(self, op: str, text: str, style: str | None = None, move: str = "") -> None:
        if op in ("move-from", "move-to"):
            self.move(op, text, move, style)
        else:
            {"equal": self.equal, "insert": self.insert, "delete": self.delete}[op](text, style)

    def mark(self, op: str) -> None:
        """Track the paragraph mark: ``insert`` (Reject All joins this paragraph to the next)
        or ``delete`` (Accept All joins it); ``equal`` leaves it alone."""
        if op == "equal":
            return
        rv = self.revisions
        tag = "w:ins" if op == "insert" else "w:del"
        paragraph_rpr(self._p).append(change_element(tag, rv._id(), rv.author, rv.date))

    def comment(self, text: str) -> None:
        self.revisions.comment(self.paragraph, text)


def level_style(level: int, names: tuple[str, ...]) -> str:
    """The style of a heading at ``level`` (1 is the top) among ``names``; deeper levels
    take the last."""
    return names[min(max(level, 1), len(names)) - 1]


# A further paragraph of a comment: python-docx's Comment.add_paragraph gives it this style.
_COMMENT_PARAGRAPH = '<w:p><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>'
# Marks where a part's children written as text go (:func:`save`); no document text can
# write an attribute.
_TEXT_MARK = "diffreportText"
# Parts (python-docx's) with children written as text: for each mark in order, its texts.
_TEXT_PARTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _put_texts(data: bytes, texts: list[list[str]]) -> bytes:
    """A part's serialization with each text mark replaced by its texts."""
    for n, pieces in enumerate(texts):
        mark = f'<w:p {_TEXT_MARK}="{n}"/>'.encode()
        where = data.index(mark)
        data = data[:where] + "".join(pieces).encode("utf-8") + data[where + len(mark) :]
    return data


def write_tracked(
    revisions: Revisions,
    paragraphs: list,
    styles: list[str | None],
    comments: dict[tuple[str, str], list[str]] | None = None,
) -> None:
    """Append an edit script's paragraphs (:func:`tracked_xml`) to the body."""
    revisions.append_xml(tracked_xml(revisions, paragraphs, styles, comments))


def tracked_xml(
    revisions: Revisions,
    paragraphs: list,
    styles: list[str | None],
    comments: dict[tuple[str, str], list[str]] | None = None,
) -> str:
    """:func:`tracked_paragraphs`, joined."""
    return "".join(tracked_paragraphs(revisions, paragraphs, styles, comments))


def tracked_paragraphs(
    revisions: Revisions,
    paragraphs: list,
    styles: list[str | None],
    comments: dict[tuple[str, str], list[str]] | None = None,
) -> Iterator[str]:
    """An edit script's paragraphs (:class:`diffreport.edits.Paragraph`: runs of
    equal / insert / delete / move-from / move-to text and an edited or plain mark) as
    tracked changes, each in its style (``styles``, one per paragraph); ``comments`` maps
    ("old"|"new", unit id) to notes anchored on the first paragraph holding that unit.

    The same elements, ids and order as :class:`TrackedParagraph` makes them, written as
    XML text (parsed once, or put into the saved part as text): a long document's tens of
    thousands of paragraphs are built without an lxml proxy object per element. One string
    a paragraph, made as it is asked for: ids are handed out and comments go into the
    comments part in the paragraphs' order. In two steps, which may run in two processes:
    :func:`tracked_parts` (the revisions' ids) and :func:`commented` (the comments' ids)."""
    parts = tracked_parts(revisions, paragraphs, styles, anchored=bool(comments))
    return commented(revisions, parts, comments)


# A paragraph of :func:`tracked_parts`: its XML text without comments, where a comment's
# range would start in it (after its properties), and the units a comment may be anchored
# on there, ("old"|"new", unit id), in the order their comments go.
TrackedPart = tuple[str, int, tuple[tuple[str, str], ...]]


def tracked_parts(
    revisions: Revisions, paragraphs: list, styles: list[str | None], anchored: bool = True
) -> Iterator[TrackedPart]:
    """:func:`tracked_paragraphs`' paragraphs without comments (:data:`TrackedPart`); the
    units to anchor comments on only when ``anchored``."""
    rv = revisions
    when = f' w:author="{xml_attr(rv.author)}" w:date="{xml_attr(rv.date)}"'
    styled: dict[str | None, str] = {}  # a style's w:pStyle, by name
    for para, style in zip(paragraphs, styles, strict=True):
        runs: list[str] = []
        for op in para.ops:
            if not op.text:
                continue
            if op.op == "equal":
                runs.append(_run_xml(op.text))
            elif op.op in ("insert", "delete"):
                tag = "w:ins" if op.op == "insert" else "w:del"
                run = _run_xml(op.text, deleted=op.op == "delete")
                runs.append(f'<{tag} w:id="{rv._id()}"{when}>{run}</{tag}>')
            elif op.op in ("move-from", "move-to"):
                kind = "moveFrom" if op.op == "move-from" else "moveTo"
                range_id = rv._id()
                runs.append(
                    f'<w:{kind}RangeStart w:id="{range_id}"{when} w:name="{xml_attr(op.move)}"/>'
                    f'<w:{kind} w:id="{rv._id()}"{when}>{_run_xml(op.text)}</w:{kind}>'
                    f'<w:{kind}RangeEnd w:id="{range_id}"/>'
                )
            else:
                raise KeyError(op.op)
        ppr = styled.get(style)
        if ppr is None:
            ppr = styled[style] = (
                f'<w:pStyle w:val="{xml_attr(rv.style_id(style))}"/>' if style else ""
            )
        if para.mark != "equal":
            tag = "w:ins" if para.mark == "insert" else "w:del"
            ppr += f'<w:rPr><{tag} w:id="{rv._id()}"{when}/></w:rPr>'
        head = f"<w:p><w:pPr>{ppr}</w:pPr>" if ppr else "<w:p>"
        if not anchored:
            keys: tuple[tuple[str, str], ...] = ()
        elif len(para.ops) == 1:  # most paragraphs: new_units and old_units without the lists
            op = para.ops[0]
            new = ("new", op.new) if op.new and op.op != "delete" else None
            old = ("old", op.old) if op.old and op.op != "insert" else None
            keys = (new, old) if new and old else (new,) if new else (old,) if old else ()
        else:
            keys = tuple(("new", u) for u in para.new_units) + tuple(
                ("old", u) for u in para.old_units
            )
        yield head + "".join(runs) + "</w:p>", len(head), keys


def commented(
    revisions: Revisions,
    parts: Iterable[TrackedPart],
    comments: dict[tuple[str, str], list[str | Callable[[], str]]] | None = None,
) -> Iterator[str]:
    """:func:`tracked_parts`' paragraphs with ``comments`` (see :func:`tracked_paragraphs`)
    anchored on the first paragraph holding each unit, in their order."""
    pending = dict(comments or {})
    rv = revisions
    for xml, at, keys in parts:
        starts: list[str] = []
        ends: list[str] = []
        if pending:
            for key in keys:
                for note in pending.pop(key, ()):
                    cid = rv._add_comment(note)
                    starts.insert(0, f'<w:commentRangeStart w:id="{cid}"/>')
                    ends.append(
                        f'<w:commentRangeEnd w:id="{cid}"/><w:r><w:rPr>'
                        f'<w:rStyle w:val="CommentReference"/></w:rPr>'
                        f'<w:commentReference w:id="{cid}"/></w:r>'
                    )
        if starts:
            xml = xml[:at] + "".join(starts) + xml[at:-6] + "".join(ends) + "</w:p>"
        yield xml


def _text(text: str) -> str:
    # str.replace, one per character: each is a scan in C that copies nothing when the
    # character is absent (nearly always); str.translate with a mapping looks up every
    # character in Python (6 % of a long briefing's writer). `&` first: the others add it.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def xml_attr(text: str) -> str:
    """``text`` escaped for an XML attribute value in double quotes."""
    return _text(text).replace('"', "&quot;")


def _run_xml(text: str, deleted: bool = False) -> str:
    """:func:`text_run` (no style) as XML text."""
    tag = "w:delText" if deleted else "w:t"
    if text and RUN_SPECIAL.search(text) is None:  # (most runs: nothing to drop or escape)
        return f'<w:r><{tag} xml:space="preserve">{text}</{tag}></w:r>'
    text = xml_safe(text)
    if text and "\t" not in text:  # most runs
        return f'<w:r><{tag} xml:space="preserve">{_text(text)}</{tag}></w:r>'
    parts = []
    for i, part in enumerate(text.split("\t")):
        if i:
            parts.append("<w:tab/>")
        if part:
            parts.append(f'<{tag} xml:space="preserve">{_text(part)}</{tag}>')
    return "<w:r>" + "".join(parts) + "</w:r>" if parts else "<w:r/>"


def paragraph_xml(style_id: str | None = None, content: str = "") -> str:
    """A ``w:p`` as :meth:`Revisions.add_paragraph` then :func:`set_style` make it, holding
    ``content`` (runs as :func:`run_xml` writes them, or other inline XML text)."""
    inner = _paragraph_style(style_id) + content if style_id else content
    return f"<w:p>{inner}</w:p>" if inner else "<w:p/>"


PAGE_BREAK_RUN = '<w:r><w:br w:type="page"/></w:r>'  # python-docx's add_run().add_break(PAGE)


def bookmarked_xml(name: str, bookmark_id: int, text: str) -> str:
    """:func:`add_bookmarked_text` as XML text: ``text`` as one run inside a bookmark."""
    return (
        f'<w:bookmarkStart w:id="{bookmark_id}" w:name="{xml_attr(name)}"/>'
        f'{run_xml(text)}<w:bookmarkEnd w:id="{bookmark_id}"/>'
    )


def field_begin_xml(instr: str, dirty: bool = False) -> str:
    """:func:`field_begin` as XML text."""
    flag = ' w:dirty="true"' if dirty else ""
    return (
        f'<w:r><w:fldChar w:fldCharType="begin"{flag}/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {_text(instr)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )


FIELD_END_XML = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'  # field_end()


def internal_link_xml(bookmark: str, text: str) -> str:
    """:func:`internal_link` (no style) as XML text."""
    return (
        f'<w:hyperlink w:anchor="{xml_attr(bookmark)}" w:history="1">{_run_xml(text)}</w:hyperlink>'
    )


def reproducible(
    data: bytes, when: dt.datetime, edit: dict[str, Callable[[bytes], bytes]] | None = None
) -> bytes:
    """Rewrite a .docx zip with fixed member timestamps (python-docx stamps the clock); a
    member named in ``edit`` is written as its function returns it."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    return _zipped(members, when, edit)


def save(
    document,
    when: dt.datetime,
    edit: dict[str, Callable[[bytes], bytes | _Deflated]] | None = None,
    last: str | None = None,
) -> bytes:
    """``document`` as :func:`reproducible` makes python-docx's saved package, zipped once:
    ``document.save`` deflates every part, which :func:`reproducible` would inflate and
    deflate again."""
    from docx.opc.pkgwriter import PackageWriter

    # OpcPackage.save and PackageWriter.write, with the members kept instead of zipped.
    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    members = _Members()
    PackageWriter._write_content_types_stream(members, parts)
    PackageWriter._write_pkg_rels(members, package.rels)
    PackageWriter._write_parts(members, parts)
    # Parts with children written as text (comments: Revisions(comments_as_text=True)).
    edit = dict(edit or {})
    for part in parts:
        texts = _TEXT_PARTS.get(part)
        if texts:
            then = edit.get(part.partname.membername)
            edit[part.partname.membername] = lambda data, texts=texts, then=then: _put_texts(
                then(data) if then else data, texts
            )
    return _zipped(members.written, when, edit, last)


class _Members:
    """python-docx's physical package writer, keeping each member's name and bytes."""

    def __init__(self) -> None:
        self.written: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.written.append((pack_uri.membername, blob))


def _zipped(
    members: list[tuple[str, bytes]],
    when: dt.datetime,
    edit: dict[str, Callable[[bytes], bytes | _Deflated]] | None = None,
    last: str | None = None,
) -> bytes:
    """A zip of ``members`` in order, deflated, each stamped ``when`` (python-docx stamps
    the clock); a member named in ``edit`` is written as its function returns it. Every
    member is edited, and a large one deflated, before any is written, the member named
    ``last`` last: its edit may wait for a deflating thread (:meth:`TextTables.stream`),
    which then runs beside the others' deflating (zlib lets go of the GIL)."""
    stamp = when.astimezone(dt.UTC).timetuple()[:6]
    # A zip (DOS) timestamp holds 1980 to 2107; the documents' own dates keep the real one.
    stamp = min(max(stamp, (1980, 1, 1, 0, 0, 0)), (2107, 12, 31, 23, 59, 58))
    ready: list[bytes | _Deflated] = [content for _, content in members]
    for i in sorted(range(len(members)), key=lambda i: members[i][0] == last):
        name, content = members[i]
        if edit and name in edit:
            content = edit[name](content)
        if last not in (None, name) and not isinstance(content, _Deflated):
            if len(content) >= EARLY_DEFLATE_BYTES:
                content = _Deflated([content], _deflated(content))
        ready[i] = content
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for (name, _), content in zip(members, ready, strict=True):
            member = zipfile.ZipInfo(name, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            if isinstance(content, _Deflated):
                write_deflated(dst, member, content)
            else:
                dst.writestr(member, content)
    return out.getvalue()


# Members from this size on are deflated before a member that may wait (``_zipped``'s
# ``last``): a briefing's styles and comments (0.4-0.9 MB at 1 MB a side, ~20 ms in all)
# then deflate while its main document's thread ends; a smaller one costs less to deflate
# than to hand over.
EARLY_DEFLATE_BYTES = 1 << 16


def _deflated(data: bytes) -> bytes:
    """``data`` deflated as zipfile deflates a member (default level, raw deflate)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class _Deflated:
    """A member's bytes (in pieces, not joined) with their deflated form, made beforehand
    (:class:`Deflater`); an ``edit`` function may give it for a member."""

    def __init__(self, pieces: list[bytes], deflated: bytes) -> None:
        self.pieces = pieces
        self.deflated = deflated

    def __len__(self) -> int:
        return sum(map(len, self.pieces))


def write_deflated(dst: zipfile.ZipFile, member: zipfile.ZipInfo, content: _Deflated) -> None:
    """``dst.writestr(member, content)`` with ``content.deflated`` as what zipfile's deflater
    would give (the same bytes: the same zlib, level and window): the checksum and sizes are
    zipfile's own. Where zipfile's writer lacks the deflater this hands it, it deflates."""
    member.file_size = len(content)  # as writestr: whether the member needs ZIP64
    with dst.open(member, "w") as dest:
        if hasattr(dest, "_compressor"):
            dest._compressor = _Ready(content.deflated)
        for piece in content.pieces:
            dest.write(piece)


class _Ready:
    """A deflater whose output is known: nothing as the data goes in, all of it at the end."""

    def __init__(self, deflated: bytes) -> None:
        self._deflated = deflated

    def compress(self, data) -> bytes:
        return b""

    def flush(self) -> bytes:
        return self._deflated


# A stream's text is encoded and handed to the deflating thread in pieces of about this many
# characters: each hand-over waits for the GIL (up to the 5 ms switch interval), so few.
STREAM_PIECE_CHARS = 1 << 20


class _Stream:
    """The tail of ``word/document.xml`` written as text after the rest is known: the part
    before it (``snapshot``: the document as python-docx serializes it, with the earlier text
    tables in their places) and its pieces go to a :class:`Deflater` as they come."""

    def __init__(self, snapshot: bytes, tables: list[str]) -> None:
        self.snapshot = snapshot
        self.index = len(tables) - 1  # its own place among the tables (the last)
        text = snapshot.decode("utf-8")
        pieces, at = [], 0
        for n, table in enumerate(tables[: self.index + 1]):
            mark = f'<w:p {_TABLE_MARK}="{n}"/>'
            where = text.index(mark, at)
            pieces += [text[at:where], table]
            at = where + len(mark)
        self._head = "".join(pieces).encode("utf-8")
        self._tail = text[at:].encode("utf-8")
        self._parts: list[bytes] = []  # the stream's own text, encoded
        self._pending: list[str] = []
        self._pending_chars = 0
        self._deflater = Deflater() if can_thread() else None
        if self._deflater is not None:
            self._deflater.write(self._head)
        self._closed = False
        self._done: _Deflated | None = None

    def write(self, text: str) -> None:
        self._pending.append(text)
        self._pending_chars += len(text)
        if self._pending_chars >= STREAM_PIECE_CHARS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            data = "".join(self._pending).encode("utf-8")
            self._pending, self._pending_chars = [], 0
            self._parts.append(data)
            if self._deflater is not None:
                self._deflater.write(data)

    def text(self) -> str:
        """What was written through the stream."""
        self._flush()
        return b"".join(self._parts).decode("utf-8")

    def close(self) -> _Deflated | None:
        """The whole part with its deflated form (None without a second thread, or if it
        failed); ends the thread. Nothing may be written after."""
        if self._closed:
            return self._done
        self._closed = True
        self._flush()
        if self._deflater is None:
            return None
        self._deflater.write(self._tail)
        deflated = self._deflater.close()
        if deflated is not None:
            self._done = _Deflated([self._head, *self._parts, self._tail], deflated)
        return self._done


def can_thread() -> bool:
    """Whether a second core may deflate while this one writes."""
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) >= 2


class Deflater:
    """Bytes deflated on a second thread as they come (zlib lets go of the GIL while it
    compresses), as zipfile deflates a member (default level, raw deflate): deflate's output
    does not depend on how its input is cut, so the bytes are those of deflating it all at
    once."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._out: list[bytes] = []
        self._failed = False
        self._thread = threading.Thread(target=self._work, name="diffreport-deflate", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        try:
            while (data := self._queue.get()) is not None:
                self._out.append(compressor.compress(data))
            self._out.append(compressor.flush())
        except BaseException:  # (no memory): the member is deflated as usual instead
            self._failed = True

    def write(self, data: bytes) -> None:
        self._queue.put(data)

    def close(self) -> bytes | None:
        """All of it deflated (None if the thread failed)."""
        self._queue.put(None)
        self._thread.join()
        return None if self._failed else b"".join(self._out)


def set_core_properties(document, title: str, when: dt.datetime, author: str = "diffreport"):
    props = document.core_properties
    props.title = xml_safe(title)[:255]
    props.author = author
    props.last_modified_by = author
    props.created = when.replace(tzinfo=None)
    props.modified = when.replace(tzinfo=None)
    props.last_printed = when.replace(tzinfo=None)
    props.revision = 1
    props.comments = ""
