"""ooxml.write_tracked writes a whole edit script as XML text parsed once (for speed); the
element builders (Revisions.paragraph, TrackedParagraph) make the same paragraphs one element
at a time. Both must give the same XML, escapes, ids and comments included."""

from __future__ import annotations

import io
import zipfile

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
