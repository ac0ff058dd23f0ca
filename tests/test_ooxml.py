"""ooxml.write_tracked writes a whole edit script as XML text parsed once (for speed); the
element builders (Revisions.paragraph, TrackedParagraph) make the same paragraphs one element
at a time. Both must give the same XML, escapes, ids and comments included. Likewise the text
tables (TextTables) and python-docx building the same tables cell by cell."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffreport.edits import Op, Paragraph
from diffreport.writers.ooxml import Revisions, write_tracked
from diffreport.writers.templates import empty_document

TRICKY = ["plain", "a\tb\t", " lead", "trail ", "<&>\"'", "x\ry", "line\nbreak", "中文　全角"]
TRICKY += ["\t", "   ", "\x01control", "&amp; already escaped"]


def _script() -> tuple[list[Paragraph], list[str | None], dict]:
    paras = []
    for i, text in enumerate(TRICKY):
        ops = [
            Op("equal", text, "o1", "n1"),
            Op("insert", text + "!", None, f"n{i}"),
            Op("delete", "", "o2", None),  # empty: no run, no revision id
            Op("delete", text, f"o{i}", None),
            Op("move-from", text, f"o{i}", None, f"move{i}"),
            Op("move-to", text, None, f"n{i}", f"move{i}"),
        ]
        paras.append(Paragraph(ops, ("equal", "insert", "delete")[i % 3]))
    paras.append(Paragraph([], "insert"))
    styles = [(None, "Heading 1", "Normal")[i % 3] for i in range(len(paras))]
    comments = {
        ("new", "n1"): ["first", "second\nwith a second line"],
        ("old", "o3"): ["<&> in a note"],
        ("new", "n5"): [""],
    }
    return paras, styles, comments


def _one_at_a_time(revisions, paras, styles, comments) -> None:
    pending = dict(comments)
    for para, style in zip(paras, styles, strict=True):
        tp = revisions.paragraph(style)
        for op in para.ops:
            tp.add(op.op, op.text, move=op.move)
        tp.mark(para.mark)
        for key in [("new", u) for u in para.new_units] + [("old", u) for u in para.old_units]:
            for note in pending.pop(key, []):
                tp.comment(note)


def _written(fill) -> tuple[bytes, bytes]:
    doc = empty_document()
    fill(Revisions(doc), *_script())
    saved = io.BytesIO()
    doc.save(saved)
    with zipfile.ZipFile(saved) as z:
        return z.read("word/document.xml"), z.read("word/comments.xml")


def test_write_tracked_writes_what_the_element_builders_make():
    bulk = _written(write_tracked)
    single = _written(_one_at_a_time)
    assert bulk == single
    body = bulk[0].decode()
    assert "&lt;&amp;&gt;" in body and "&amp;amp; already" in body and "&#13;" in body
    assert body.count("<w:commentRangeStart") == 4 and "<w:moveFromRangeStart" in body


def _python_docx_table(doc, header, rows, widths_mm) -> None:
    """A text table through python-docx, one cell at a time (what TextTables replaced)."""
    from docx.shared import Mm

    from diffreport.writers.ooxml import (
        TABLE_HEADER_FILL,
        fixed_layout,
        repeat_header_row,
        shade_cell,
        xml_safe,
    )

    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].style = doc.styles["Table Heading"]
        cell.paragraphs[0].add_run(xml_safe(text))
        shade_cell(cell, TABLE_HEADER_FILL)
    repeat_header_row(table.rows[0])
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.paragraphs[0].style = doc.styles["Table Text"]
            cell.paragraphs[0].add_run(xml_safe(text))
    fixed_layout(table, [Mm(w) for w in widths_mm])


def test_text_tables_write_what_python_docx_makes():
    import datetime as dt

    from diffreport.writers.ooxml import TextTables, reproducible

    when = dt.datetime(2024, 5, 6, tzinfo=dt.UTC)
    tables = [
        (["", "unit", "v1"], [[t, t + "!", ""] for t in TRICKY], [12, 70.5, 33.3]),
        (["&", "\t"], [["a", "b"]], [40.07, 100]),
        (["only"], [], [50]),
    ]
    by_docx, by_text = empty_document(), empty_document()
    text_tables = TextTables(by_text)
    for doc, add in (
        (by_docx, lambda *t: _python_docx_table(by_docx, *t)),
        (by_text, text_tables.add),
    ):
        for header, rows, widths in tables:
            doc.add_paragraph("before")
            add(header, rows, widths)
        doc.add_paragraph("after")
    saved = io.BytesIO()
    by_docx.save(saved)
    expected, got = reproducible(saved.getvalue(), when), text_tables.save(when)
    with zipfile.ZipFile(io.BytesIO(expected)) as a, zipfile.ZipFile(io.BytesIO(got)) as b:
        assert a.read("word/document.xml").count(b"<w:tbl>") == 3
        assert b.read("word/document.xml") == a.read("word/document.xml")


def test_text_tables_with_styled_runs_unsplit_rows_and_kept_together():
    """The briefing's tables: cells of styled runs, rows that do not break across pages, and
    a short table's paragraphs kept with the next — the same XML python-docx makes."""
    import datetime as dt

    from docx.shared import Mm

    from diffreport.writers.ooxml import (
        TABLE_HEADER_FILL,
        TextTables,
        add_text,
        fixed_layout,
        keep_row_together,
        repeat_header_row,
        reproducible,
        shade_cell,
    )

    when = dt.datetime(2024, 5, 6, tzinfo=dt.UTC)
    by_docx, by_text = empty_document(), empty_document()
    style = by_docx.styles["Table Text"].style_id  # any style id: the XML is what is compared
    rows = [["a", [("↑ 上调", style), (" x", None)]], [[("", None)], "&<>"], ["last", "z"]]
    header, widths = ["h1", "h2"], [40.5, 60]
    tables = TextTables(by_text)
    for keep in (True, False):
        by_docx.add_paragraph("before")
        table = by_docx.add_table(rows=1 + len(rows), cols=2)
        table.style = by_docx.styles["Table Grid"]
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.paragraphs[0].style = by_docx.styles["Table Heading"]
            add_text(cell.paragraphs[0], text)
            shade_cell(cell, TABLE_HEADER_FILL)
        repeat_header_row(table.rows[0])
        for row, values in zip(list(table.rows)[1:], rows, strict=True):
            keep_row_together(row)
            for cell, value in zip(row.cells, values, strict=True):
                cell.paragraphs[0].style = by_docx.styles["Table Text"]
                for text, run_style in [(value, None)] if isinstance(value, str) else value:
                    add_text(cell.paragraphs[0], text, run_style)
        fixed_layout(table, [Mm(w) for w in widths])
        if keep:
            for row in table.rows[:-1]:
                for cell in row.cells:
                    cell.paragraphs[0].paragraph_format.keep_with_next = True
        by_text.add_paragraph("before")
        tables.add(header, rows, widths, rows_unsplit=True, keep_together=keep)
    saved = io.BytesIO()
    by_docx.save(saved)
    expected, got = reproducible(saved.getvalue(), when), tables.save(when)
    with zipfile.ZipFile(io.BytesIO(expected)) as a, zipfile.ZipFile(io.BytesIO(got)) as b:
        assert a.read("word/document.xml").count(b"<w:keepNext/>") == 2 * 3  # header + 2 rows
        assert b.read("word/document.xml") == a.read("word/document.xml")


def test_save_zips_once_what_reproducible_makes_of_python_docx_s_package():
    """ooxml.save writes the package in one pass; the bytes are those of python-docx's save
    rewritten by reproducible (fixed timestamps, the same members in the same order)."""
    import datetime as dt

    from diffreport.writers.ooxml import reproducible, save

    when = dt.datetime(2024, 5, 6, tzinfo=dt.UTC)
    doc = empty_document()
    paras, styles, comments = _script()
    write_tracked(Revisions(doc, when=when), paras, styles, comments)
    saved = io.BytesIO()
    doc.save(saved)
    expected = reproducible(saved.getvalue(), when)
    assert save(doc, when) == expected
    edit = {"word/document.xml": lambda data: data.replace(b"plain", b"PLAIN")}
    edited = save(doc, when, edit)
    with zipfile.ZipFile(io.BytesIO(edited)) as z, zipfile.ZipFile(saved) as ref:
        assert z.namelist() == ref.namelist() and "word/comments.xml" in z.namelist()
        assert z.read("word/document.xml") == ref.read("word/document.xml").replace(
            b"plain", b"PLAIN"
        )
        assert {i.date_time for i in z.infolist()} == {(2024, 5, 6, 0, 0, 0)}


def test_members_deflated_before_the_last_one_give_the_same_package(monkeypatch):
    """With a member named last (it may wait for a deflating thread), every other member is
    edited and deflated first: the package's bytes are those written in order."""
    import datetime as dt

    from diffreport.writers import ooxml

    when = dt.datetime(2024, 5, 6, tzinfo=dt.UTC)
    doc = empty_document()
    paras, styles, comments = _script()
    write_tracked(Revisions(doc, when=when), paras, styles, comments)
    edited: list[str] = []

    def edit(name):
        return lambda data: edited.append(name) or data.replace(b"plain", b"PLAIN")

    names = ("word/document.xml", "word/styles.xml")
    expected = ooxml.save(doc, when, {n: edit(n) for n in names})
    assert edited == list(names)  # (in the package's order)
    edited.clear()
    monkeypatch.setattr(ooxml, "EARLY_DEFLATE_BYTES", 1)  # every member deflated early
    last = ooxml.save(doc, when, {n: edit(n) for n in names}, last="word/document.xml")
    assert last == expected and edited == ["word/styles.xml", "word/document.xml"]


def test_briefing_paragraphs_as_text_are_what_the_element_builders_make():
    """The briefing writes its body as XML text: styled paragraphs of runs, bookmarked
    headings, the TOC field's links, page breaks and the edit script (tracked_xml) give the
    XML python-docx and the element builders make for them."""
    import datetime as dt

    from docx.enum.text import WD_BREAK

    from diffreport.writers import ooxml

    when = dt.datetime(2024, 5, 6, tzinfo=dt.UTC)
    by_elements, by_text = empty_document(), empty_document()
    style = by_elements.styles["Body Text"].style_id
    character = by_elements.styles["Table Text"].style_id  # any id: the XML is compared
    rv = ooxml.Revisions(by_elements, when=when)
    paras, styles, comments = _script()
    # python-docx and the element builders
    for n, text in enumerate(TRICKY):
        if n == 3:
            by_elements.add_paragraph("between")  # python-docx adds between pieces of text
        p = rv.add_paragraph()
        ooxml.set_style(p, style)
        ooxml.add_text(p, text)
        ooxml.add_text(p, text + "!", character)
    ooxml.set_style(rv.add_paragraph(), style)  # styled, empty
    rv.add_paragraph()  # neither
    for n, text in enumerate(["标题", "<&>\"'", " spaced ", "", "a\tb"]):
        p = rv.add_paragraph()
        ooxml.set_style(p, style)
        ooxml.add_bookmarked_text(p, f"_Toc{n:04d}", 5_000 + n, text)
        if n == 0:
            ooxml.add_elements(p, ooxml.field_begin('TOC \\o "1-2" \\h <&>', dirty=True))
        ooxml.add_elements(p, [ooxml.internal_link(f"_Toc{n:04d}", text)])
    ooxml.add_elements(p, [ooxml.field_end()])
    p.add_run().add_break(WD_BREAK.PAGE)
    rv.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    ooxml.write_tracked(rv, paras, styles, comments)
    # the same as text
    tv = ooxml.Revisions(by_text, when=when)
    body = [
        ooxml.paragraph_xml(style, ooxml.run_xml(t) + ooxml.run_xml(t + "!", character))
        for t in TRICKY
    ]
    body += [ooxml.paragraph_xml(style), ooxml.paragraph_xml()]
    for n, text in enumerate(["标题", "<&>\"'", " spaced ", "", "a\tb"]):
        content = ooxml.bookmarked_xml(f"_Toc{n:04d}", 5_000 + n, text)
        if n == 0:
            content += ooxml.field_begin_xml('TOC \\o "1-2" \\h <&>', dirty=True)
        content += ooxml.internal_link_xml(f"_Toc{n:04d}", text)
        if n == 4:
            content += ooxml.FIELD_END_XML + ooxml.PAGE_BREAK_RUN
        body.append(ooxml.paragraph_xml(style, content))
    body.append(ooxml.paragraph_xml(None, ooxml.PAGE_BREAK_RUN))
    body.append(ooxml.tracked_xml(tv, paras, styles, comments))
    tables = ooxml.TextTables(by_text)
    tables.add_xml("".join(body[:3]))
    by_text.add_paragraph("between")
    tables.add_xml("".join(body[3:]))
    with (
        zipfile.ZipFile(io.BytesIO(ooxml.save(by_elements, when))) as a,
        zipfile.ZipFile(io.BytesIO(tables.save(when))) as b,
    ):
        assert b.read("word/comments.xml") == a.read("word/comments.xml")
        expected = a.read("word/document.xml")
        assert b"<w:bookmarkStart" in expected and b'w:dirty="true"' in expected
        assert b.read("word/document.xml") == expected


def _streamed_package(monkeypatch, threads: bool, late: bool) -> tuple[bytes, bytes]:
    """The same body written by ``add_xml`` and by ``TextTables.stream`` (cut into many
    pieces, deflated on a second thread or not); ``late``: a paragraph added after the
    stream began (the deflated part is then stale and must not be used)."""
    import datetime as dt
    import random

    from diffreport.writers import ooxml

    monkeypatch.setattr(ooxml, "STREAM_PIECE_CHARS", 5_000)
    monkeypatch.setattr(ooxml, "can_thread", lambda: threads)
    when = dt.datetime(2024, 5, 6, tzinfo=dt.UTC)
    rng = random.Random(7)
    words = TRICKY + ["条款", "第十条", "the same again and again " * 3]
    paras = [
        ooxml.paragraph_xml(None, ooxml.run_xml(" ".join(rng.choices(words, k=12))))
        for _ in range(3_000)
    ]
    packages = []
    for streamed in (False, True):
        doc = empty_document()
        tables = ooxml.TextTables(doc)
        tables.add_xml(paras[0])
        doc.add_paragraph("python-docx's own paragraph")
        if streamed:
            stream = tables.stream()
            for xml in paras[1:]:
                stream.write(xml)
        else:
            tables.add_xml("".join(paras[1:]))
        if late:
            doc.add_paragraph("added late")
        packages.append(tables.save(when))
    return packages[0], packages[1]


def test_a_streamed_body_deflated_on_a_second_thread_gives_the_same_package(monkeypatch):
    import threading

    from diffreport.writers import ooxml

    deflated: list[str] = []  # members written from what the thread deflated
    write_deflated = ooxml.write_deflated
    monkeypatch.setattr(
        ooxml,
        "write_deflated",
        lambda dst, member, content: (
            deflated.append(member.filename) or write_deflated(dst, member, content)
        ),
    )
    before = threading.active_count()
    for threads in (True, False):
        deflated.clear()
        written, streamed = _streamed_package(monkeypatch, threads, late=False)
        assert streamed == written
        # the thread's work used (once, and not without a thread); large members (styles)
        # are deflated before it (early), with or without
        assert deflated.count("word/document.xml") == threads
        assert "word/styles.xml" in deflated
        with zipfile.ZipFile(io.BytesIO(streamed)) as z:
            assert len(z.read("word/document.xml")) > 400_000  # many pieces of 5 000
    assert threading.active_count() == before  # the thread has ended


def test_a_stream_whose_document_changed_after_it_began_is_written_again(monkeypatch):
    written, streamed = _streamed_package(monkeypatch, True, late=True)
    assert streamed == written
    with zipfile.ZipFile(io.BytesIO(streamed)) as z:
        assert b"added late" in z.read("word/document.xml")


def test_deflating_in_pieces_gives_the_bytes_of_deflating_at_once():
    """What the second thread relies on: zlib's deflate output does not depend on where its
    input is cut (zipfile deflates a member in one call)."""
    import random
    import zlib

    from diffreport.writers.ooxml import Deflater

    rng = random.Random(3)
    data = "".join(rng.choice(TRICKY) for _ in range(200_000)).encode("utf-8")
    deflater, at = Deflater(), 0
    while at < len(data):
        step = rng.choice([1, 7, 4096, 65_537, 300_000])
        deflater.write(data[at : at + step])
        at += step
    at_once = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    assert deflater.close() == at_once.compress(data) + at_once.flush()


def test_comments_as_text_are_the_comments_built_as_elements():
    """Revisions(comments_as_text=True) writes each comment as XML text put into the
    comments part on saving: the same part as the comments built as elements."""
    import datetime as dt

    from diffreport.writers import ooxml

    when = dt.datetime(2024, 5, 6, tzinfo=dt.UTC)
    notes = TRICKY + ["", "\nopens with a break", "two\nlines", "ends\n", "a\n\nb", "\r\n\t"]
    notes += ["x" * 3000, "<&>\"'\nsecond <&>"]
    packages = []
    # As elements and as text; then each note worded later (given as a function, worded by
    # word_comments once all are placed), either way.
    for as_text, later in ((False, False), (True, False), (True, True), (False, True)):
        doc = empty_document()
        rv = ooxml.Revisions(doc, '作者 <&">', when, comments_as_text=as_text)
        for note in notes:
            p = rv.add_paragraph()
            ooxml.add_text(p, "anchor")
            rv.comment(p, (lambda note=note: note) if later else note)
        rv.word_comments()
        packages.append(ooxml.save(doc, when))
    with zipfile.ZipFile(io.BytesIO(packages[0])) as a:
        expected = a.read("word/comments.xml")
        assert expected.count(b"<w:comment ") == len(notes)
    for package in packages[1:]:
        with zipfile.ZipFile(io.BytesIO(package)) as b:
            assert b.read("word/comments.xml") == expected
        assert package == packages[0]


def test_a_briefing_that_fails_while_its_appendix_streams_leaves_no_thread(
    monkeypatch, seed_comparison
):
    """The deflating thread ends whether the briefing is saved or fails on the way."""
    import threading

    import pytest

    from diffreport.writers import docx_brief, ooxml

    c = seed_comparison
    monkeypatch.setattr(ooxml, "can_thread", lambda: True)  # a thread even on one core
    before = threading.active_count()
    saved = docx_brief.render(c)
    assert saved[:2] == b"PK" and threading.active_count() == before

    def failing(*args):
        yield "<w:p/>"
        raise RuntimeError("stopped half-way")

    monkeypatch.setattr(docx_brief, "commented", failing)
    with pytest.raises(RuntimeError, match="half-way"):
        docx_brief.render(c)
    assert threading.active_count() == before


_RUN_ALPHABET = st.sampled_from(
    list("ab 中文\t\r\n&<>\"'\x00\x01\x0b\x1f\ufffe\uffff\u3000") + ["\ud800", "z"]
)
_DOC = empty_document()
_WHEN = dt.datetime(2024, 5, 6, tzinfo=dt.UTC)


@settings(max_examples=300, deadline=None)
@given(text=st.text(_RUN_ALPHABET, max_size=12) | st.text(max_size=12), styled=st.booleans())
def test_runs_written_as_they_are_match_the_general_path(text, styled):
    """run_xml and the edit script's runs (tracked_parts) write a text that holds nothing to
    drop, escape or break (most runs) as it is: the bytes of the general path (xml_safe,
    escapes, tabs, breaks), which every text takes when the shortcut's check always fires."""
    from diffreport.writers import ooxml

    def written() -> tuple:
        ops = [Op(op, text, "o1", "n1") for op in ("equal", "insert", "delete")]
        parts = ooxml.tracked_parts(Revisions(_DOC, when=_WHEN), [Paragraph(ops)], [None])
        return ooxml.run_xml(text, "Emphasis" if styled else None), [p[0] for p in parts]

    fast = written()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ooxml, "RUN_SPECIAL", re.compile("[\\s\\S]"))  # (matches any text)
        assert written() == fast
