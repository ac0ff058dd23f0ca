"""The redline: Accept All gives the new document, Reject All the old one — in our own edit
model, in the XML we write, and as pandoc reads it."""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import pytest
from conftest import FIXTURES, SEEDS, law_pairs, pandoc_text
from lxml import etree

from diffreport import edits
from diffreport.compare import compare
from diffreport.writers import docx_redline

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
ENGLISH = FIXTURES / "english"


def lines(doc) -> list[str]:
    return doc.plain_text().split("\n")


@pytest.fixture(scope="module")
def law_comparisons():
    return [compare(old, new) for old, new in law_pairs()]


@pytest.fixture(scope="module")
def seed_redline(seed_comparison, monkeypatch_module) -> bytes:
    return docx_redline.render(seed_comparison)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    yield mp
    mp.undo()


def test_edit_script_accepts_to_new_and_rejects_to_old(seed_comparison, law_comparisons):
    english = compare(
        ENGLISH / "github-acceptable-use-policies.2021.md",
        ENGLISH / "github-acceptable-use-policies.2024.md",
    )
    for c in [seed_comparison, english, *law_comparisons]:
        script = edits.script(c)
        assert script.accepted() == lines(c.new), c.new.path
        assert script.rejected() == lines(c.old), c.old.path
        ops = {op.op for p in script.paragraphs for op in p.ops}
        assert {"insert", "delete", "equal"} <= ops, c.new.path


def test_paired_sentences_are_edited_in_place_not_replaced(seed_comparison):
    """What the comparison found unchanged inside paired sentences stays plain text in the
    redline (not deleted and re-inserted): nearly all of it, bar what a move takes along."""
    c = seed_comparison
    kept = 0
    for a in c.at("sentence"):
        if a.moved or not a.old or not a.new:
            continue
        if a.status == "unchanged":
            kept += len(c.new.node(a.new[0]).text)
        elif a.diff:
            kept += sum(len(text) for op, text in a.diff if op == "equal")
    paras = edits.script(c).paragraphs
    equal = sum(len(op.text) for p in paras for op in p.ops if op.op == "equal")
    assert kept > 200
    assert equal >= 0.9 * kept


def _swap_priorities(text: str, first: str, second: str) -> str:
    rows = text.split("\n")
    i = next(k for k, r in enumerate(rows) if first in r)
    j = next(k for k, r in enumerate(rows) if second in r)
    rows[i], rows[j] = rows[j], rows[i]
    return "\n".join(rows)


def test_reordered_priority_is_a_move_not_a_delete_and_insert():
    """Swap two priorities of the 2025 plan (same section): the redline writes one of them as
    a Word move, and every other priority is untouched."""
    text = (SEEDS / "nankai-2025-plan.txt").read_text(encoding="utf-8")
    swapped = _swap_priorities(text, "扩大有效投资", "挖掘消费潜力")
    assert swapped != text
    c = compare(text, swapped)
    script = edits.script(c)
    paras = script.paragraphs
    moves_to = [op for p in paras for op in p.ops if op.op == "move-to"]
    moves_from = [op for p in paras for op in p.ops if op.op == "move-from"]
    assert moves_to and moves_from
    assert {op.move for op in moves_to} == {op.move for op in moves_from}
    assert not [op for p in paras for op in p.ops if op.op in ("insert", "delete")]
    assert script.accepted() == lines(c.new)
    assert script.rejected() == lines(c.old)


def _body_paragraphs(docx: bytes):
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return root.find(f"{W}body").findall(f"{W}p")


def read_tracked(docx: bytes, accept: bool) -> list[str]:
    """Our own reader of the tracked changes, independent of the writer's model: drop the
    rejected side's runs, join paragraphs whose mark is removed."""
    drop = {f"{W}del", f"{W}moveFrom"} if accept else {f"{W}ins", f"{W}moveTo"}
    gone_mark = f"{W}del" if accept else f"{W}ins"
    out: list[str] = []
    buf = ""
    paras = _body_paragraphs(docx)
    for i, p in enumerate(paras):
        for el in p.iter(f"{W}t", f"{W}delText"):
            if not any(a.tag in drop for a in el.iterancestors()):
                buf += el.text or ""
        mark = p.find(f"{W}pPr/{W}rPr/{gone_mark}")
        if mark is None or i == len(paras) - 1:
            out.append(buf)
            buf = ""
    return out


def test_docx_xml_accepts_and_rejects(seed_redline, seed_comparison):
    assert read_tracked(seed_redline, accept=True) == lines(seed_comparison.new)
    assert read_tracked(seed_redline, accept=False) == lines(seed_comparison.old)


def test_tracked_changes_carry_author_and_date(seed_redline):
    with zipfile.ZipFile(io.BytesIO(seed_redline)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    changes = root.findall(f".//{W}ins") + root.findall(f".//{W}del")
    assert len(changes) > 50
    assert {c.get(f"{W}author") for c in changes} == {"diffreport"}
    assert {c.get(f"{W}date") for c in changes} == {"2026-01-01T00:00:00Z"}


def test_redline_is_reproducible(seed_comparison, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first = docx_redline.render(seed_comparison)
    assert docx_redline.render(seed_comparison) == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400))
    assert docx_redline.render(seed_comparison) != first


def _norm(text: str) -> list[str]:
    return [re.sub(r"\s+", "", line) for line in text.split("\n") if re.sub(r"\s+", "", line)]


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
@pytest.mark.parametrize("mode", ["accept", "reject"])
def test_pandoc_reads_the_redline(seed_redline, seed_comparison, tmp_path, mode):
    """A real client: pandoc's --track-changes gives exactly one side, nothing of the other
    (compared paragraph by paragraph, whitespace aside: pandoc re-spaces text)."""
    path = tmp_path / "redline.docx"
    path.write_bytes(seed_redline)
    out = pandoc_text(path, mode)
    side = seed_comparison.new if mode == "accept" else seed_comparison.old
    assert _norm(out) == _norm(side.plain_text())


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
def test_pandoc_reads_a_statute_redline(law_comparisons, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    c = law_comparisons[0]
    path = tmp_path / "law.docx"
    path.write_bytes(docx_redline.render(c))
    for mode, side in (("accept", c.new), ("reject", c.old)):
        out = pandoc_text(path, mode)
        assert _norm(out) == _norm(side.plain_text()), mode


def test_unsafe_text_is_written_literally(monkeypatch):
    """Markup characters, template braces, control characters and a very long line."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    long_line = "第三条 " + "超长的一行文字，" * 2000
    old = "一、总则\n第一条 甲 < 乙 & 丙 {{ config }} 原有规定。\n" + long_line + "\n"
    new = (
        "一、总则\n第一条 甲 < 乙 & 丙 {{ config }} {% raw %} 新的\x07规定。\n" + long_line + "改\n"
    )
    c = compare(old, new)
    docx = docx_redline.render(c)
    accepted = "\n".join(read_tracked(docx, accept=True))
    assert "甲 < 乙 & 丙 {{ config }} {% raw %}" in accepted
    assert "\x07" not in accepted
    assert len(accepted) > 15000


def test_redline_command_writes_the_tracked_document(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from diffreport.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    old, new = law_pairs()[0]
    out = tmp_path / "redline.docx"
    result = CliRunner().invoke(main, ["redline", str(old), str(new), "-o", str(out)])
    assert result.exit_code == 0, result.output
    c = compare(old, new)
    assert read_tracked(out.read_bytes(), accept=True) == lines(c.new)
    assert read_tracked(out.read_bytes(), accept=False) == lines(c.old)
    bad = tmp_path / "x.docx"
    missing = CliRunner().invoke(
        main, ["redline", str(old), str(tmp_path / "no.md"), "-o", str(bad)]
    )
    assert missing.exit_code == 2 and not bad.exists()
