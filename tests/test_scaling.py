"""Structural guards against the quadratic costs that made large inputs slow: work that must
happen once per document, not once per paragraph, alignment or comment. Counted, not timed
(the timings are in the README's Performance section, `make bench`)."""

from __future__ import annotations

import copy
import io
import json
import math
import re
import zipfile

from conftest import law_pairs

from diffreport.compare import compare
from diffreport.model import SourceText


def _count_calls(monkeypatch, cls, name: str) -> list[object]:
    calls: list[object] = []
    original = getattr(cls, name)

    def counting(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, counting)
    return calls


def test_briefing_finds_the_body_end_and_comment_ids_once(monkeypatch, seed_comparison):
    """python-docx appends a paragraph by searching the whole body for its final sectPr and
    numbers a comment by reading every comment so far; the briefing writes thousands of
    paragraphs and comments on a long code, so neither may happen per paragraph."""
    from docx.oxml.comments import CT_Comments
    from docx.oxml.document import CT_Body

    from diffreport.writers import docx_brief

    body_searches = _count_calls(monkeypatch, CT_Body, "insert_element_before")
    id_scans = _count_calls(monkeypatch, CT_Comments, "_next_available_comment_id")
    data = docx_brief.render(seed_comparison, lang="zh")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode()
        comments = z.read("word/comments.xml").decode().count("<w:comment ")
    paragraphs = len(re.findall(r"<w:p[ >]", body))
    # Long enough for the counts to mean something.
    assert paragraphs > 300 and comments > 20
    assert len(body_searches) <= 12  # tables only: a handful, whatever the length
    assert len(id_scans) <= 1


def test_json_is_what_the_standard_library_writes(seed_comparison):
    """orjson writes the contract; the bytes are json.dumps's, so consumers see no change."""
    pair = law_pairs()[0]
    for c in (seed_comparison, compare(*pair), compare(pair[1], pair[0])):
        assert c.to_json() == json.dumps(c.to_dict(), ensure_ascii=False, indent=2)
    compact = seed_comparison.to_json(indent=None)
    assert compact == json.dumps(seed_comparison.to_dict(), ensure_ascii=False)


def test_json_written_in_slices_is_the_same_bytes(monkeypatch):
    """The nodes and alignments are encoded a slice at a time and put in place: the pieces
    joined are json.dumps's bytes, whatever the slice (one item, a few, all), and a side with
    no nodes at all is an empty list."""
    from diffreport import result

    pair = law_pairs()[0]
    # A text string with no text is refused now (read as a file's text is), so the side with
    # no nodes is an empty parsed source.
    empty = SourceText([], path="empty")
    cases = [compare(*pair), compare(empty, pair[1].read_text(encoding="utf-8"))]
    for c in cases:
        expected = json.dumps(c.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")
        for size in (1, 7, 100_000):
            monkeypatch.setattr(result, "JSON_SLICE", size)
            parts = c.to_json_parts()
            assert b"".join(parts) == expected
            assert c.to_json_bytes() == expected
    assert len(c.to_dict()["nodes"]["old"]) == 0  # (the second case)


def test_parts_encoded_while_waiting_are_the_same_json(monkeypatch):
    """The nodes' and the alignments' JSON that the CLI encodes while compare() waits for
    its side work (compare(meanwhile=json_parts_ahead), kept as Comparison.prepared) is
    written as it is: the pieces joined are json.dumps's bytes, as without them, whatever
    the slice; nodes or alignments orjson cannot write (a lone surrogate) give no parts, and
    the report is then encoded as before."""
    from dataclasses import replace

    from diffreport import result
    from diffreport.model import Document, Node
    from diffreport.result import json_parts_ahead, node_json_parts

    pair = law_pairs()[0]
    ahead, plain = compare(*pair, meanwhile=json_parts_ahead), compare(*pair)
    assert ahead.prepared is not None and plain.prepared is None
    assert "meanwhile" in ahead.timings and "meanwhile" not in plain.timings
    expected = json.dumps(plain.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")
    for size in (1, 7, 100_000):
        monkeypatch.setattr(result, "JSON_SLICE", size)
        assert b"".join(ahead.to_json_parts(ahead.prepared)) == expected
        assert b"".join(plain.to_json_parts()) == expected
    # The parts are used as encoded, not encoded again (a node or an alignment changed since
    # is not seen).
    ahead.old.nodes[0].text += "。"
    ahead.alignments[-1].confidence = "none"
    assert b"".join(ahead.to_json_parts(ahead.prepared)) == expected
    assert b"".join(ahead.to_json_parts()) != expected
    assert node_json_parts([Node("b1", "block", "\ud800")]) is None
    assert node_json_parts([]) == [b"[]"]
    lone = Document([Node("b1", "block", "\ud800")])
    found = plain.alignments
    assert json_parts_ahead(lone, plain.new, found) is None
    assert json_parts_ahead(plain.old, lone, found) is None
    assert (
        json_parts_ahead(
            plain.old, plain.new, [*found[:-1], replace(found[-1], confidence="\ud800")]
        )
        is None
    )


def test_summary_counts_each_levels_statuses_as_counted_level_by_level(seed_comparison):
    from diffreport.model import LEVELS

    for c in (seed_comparison, compare(*law_pairs()[0])):
        expected = {level: dict(sorted(c.counts(level).items())) for level in LEVELS}
        got = c.summary()
        assert [list(d.items()) for d in got.values()] == [
            list(d.items()) for d in expected.values()
        ]
        assert list(got) == list(LEVELS)
        assert len({a.status for a in c.alignments}) >= 3  # (several statuses counted)


def _floats(data):
    """Every float in a contract dictionary."""
    if isinstance(data, float):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _floats(value)
    elif isinstance(data, list):
        for value in data:
            yield from _floats(value)


def test_plain_numbers_checks_every_float_the_contract_holds():
    """plain_numbers (a set of the distinct numbers, gathered in C) says what checking every
    float of the contract's dictionary says, wherever an odd number stands: a score, a split's
    share, a figure's value or bounds."""
    import dataclasses

    from diffreport.result import plain_number

    base = compare(*law_pairs()[0])
    assert any(a.shares for a in base.alignments) and base.targets
    assert base.plain_numbers() and all(map(plain_number, _floats(base.to_dict())))
    for odd in (5e-05, -5e-05, math.inf, -math.inf, math.nan, 0.0, -0.0, 1e-4, 1e300):
        for place in ("score", "share", "value", "low", "high"):
            c = copy.deepcopy(base)
            if place == "score":
                c.alignments[-1].score = odd
            elif place == "share":
                shares = next(a.shares for a in c.alignments if a.shares)
                shares[next(iter(shares))] = odd
            else:
                k, change = next((k, t) for k, t in enumerate(c.targets) if t.new is not None)
                new = dataclasses.replace(change.new, **{place: odd})
                c.targets[k] = dataclasses.replace(change, new=new)
            expected = all(map(plain_number, _floats(c.to_dict())))
            assert c.plain_numbers() == expected, (odd, place)
            assert expected == plain_number(odd), (odd, place)


def test_json_numbers_orjson_would_write_differently_keep_their_form():
    c = compare(*law_pairs()[0])
    changed = next(a for a in c.alignments if a.score is not None)
    changed.score = 5e-05  # json writes 5e-05, orjson 0.00005
    text = c.to_json()
    assert '"score": 5e-05' in text
    assert text == json.dumps(c.to_dict(), ensure_ascii=False, indent=2)
