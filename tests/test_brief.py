"""The Word briefing: opened with python-docx and checked part by part, then read by real
clients (LibreOffice converts it to PDF)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SEEDS, law_pairs
from docx import Document
from docx.shared import Mm
from lxml import etree

from diffreport.cli import main
from diffreport.compare import compare
from diffreport.report import is_front
from diffreport.writers import docx_brief, docx_redline
from diffreport.writers.templates import wording

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EPOCH = "1767225600"  # 2026-01-01
ENGLISH = FIXTURES / "english"


@pytest.fixture(scope="module")
def epoch():
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    yield
    mp.undo()


@pytest.fixture(scope="module")
def brief_bytes(seed_comparison, epoch) -> bytes:
    return docx_brief.render(seed_comparison)


@pytest.fixture(scope="module")
def brief(brief_bytes):
    return Document(io.BytesIO(brief_bytes))


def headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def body_xml(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read("word/document.xml"))


def test_chinese_briefing_has_all_parts_in_order(brief):
    words = wording("zh")
    labels = dict(words.labels, priorities=words.headings["priorities"]["plan"])
    expected = [
        labels[k] for k in ("summary", "targets", "structure", "priorities", "terms", "appendix")
    ]
    assert headings(brief, 1) == expected
    assert "摘要" in headings(brief, 1)[0]
    title = [p.text for p in brief.paragraphs if p.style.name == "Title"]
    assert title == [labels["title"]]


def test_title_block_names_both_documents_and_the_date(brief, seed_comparison):
    meta = brief.tables[0]
    text = "\n".join(c.text for row in meta.rows for c in row.cells)
    for doc in (seed_comparison.old, seed_comparison.new):
        assert doc.title in text and doc.path in text
    assert "2026-01-01" in text
    assert "diffreport" in text


def test_no_heading_is_left_empty(brief):
    """Every heading is followed by something other than another heading of the same or a
    higher level (an empty section)."""
    paras = [p for p in brief.paragraphs if p.text.strip() or p.style.name.startswith("Heading")]
    for here, nxt in zip(paras, paras[1:], strict=False):
        if here.style.name.startswith("Heading ") and nxt.style.name.startswith("Heading "):
            assert int(nxt.style.name[-1]) > int(here.style.name[-1]), here.text


def test_summary_is_built_from_the_facts(brief, seed_comparison):
    """The narrative states this pair's numbers and headline target, not canned prose."""
    start = next(i for i, p in enumerate(brief.paragraphs) if p.style.name == "Heading 1")
    summary = []
    for p in brief.paragraphs[start + 1 :]:
        if p.style.name.startswith("Heading"):
            break
        if p.style.name == "Body Text":
            summary.append(p.text)
    text = "".join(summary)
    c = seed_comparison
    assert c.new.title in text and c.old.title in text
    # Counts are of the body: the front matter (notice title, addressees, date) is the
    # version line, never a paragraph.
    body = [n for n in c.new.of_kind("block") if n.role != "front"]
    assert 0 < len(body) < len(c.new.of_kind("block"))
    assert f"{len(body)}个段落" in text
    dropped = [a for a in c.at("block") if a.status == "dropped" and not is_front(c, a)]
    assert f"删除{len(dropped)}段" in text
    assert text.startswith("版本信息：")
    raised = [t for t in c.targets if t.change == "raised"]
    assert raised and raised[0].indicator in text
    new_terms = c.terms["new"]
    assert new_terms and new_terms[0].term in text


def test_statute_summary_counts_articles(epoch, brief):
    """A regulation's briefing speaks of articles (条), with that pair's own numbers."""
    old, new = law_pairs()[0]
    c = compare(old, new)
    law = Document(io.BytesIO(docx_brief.render(c)))
    body = [p.text for p in law.paragraphs if p.style.name == "Body Text"]
    assert body[0].startswith("版本信息：")  # the enactment history, apart
    first = body[1]
    assert c.new.genre == "statute"
    # Articles, counted by their labels in the text (the history lines are not articles).
    articles = re.findall(r"^第[一二三四五六七八九十百零]+条", new.read_text(), flags=re.M)
    assert len(articles) < len([n for n in c.new.of_kind("block")])
    assert f"共{len(articles)}条" in first
    dropped = [a for a in c.at("block") if a.status == "dropped" and not is_front(c, a)]
    assert f"删除{len(dropped)}条" in first
    assert "四、条款变化" in headings(law, 1)
    # An article's clauses are its content, not a plan's measures (举措).
    everything = "\n".join(p.text for p in law.paragraphs)
    assert "举措" not in everything and "在分句层面，新增内容" in first
    assert "新增举措" in "\n".join(p.text for p in brief.paragraphs)
    seed_first = next(p.text for p in brief.paragraphs if p.style.name == "Body Text")
    assert seed_first != first


def test_targets_table_marks_and_colours(brief, seed_comparison):
    table = next(t for t in brief.tables if t.rows[0].cells[1].text == "指标")
    assert table.rows[0].cells[0].text == "所在条款或段落"
    rows = table.rows[1:]
    assert len(rows) == len(seed_comparison.targets)
    marks = {"raised": "↑", "lowered": "↓", "unchanged": "="}
    styles = {"raised": "Change Raised", "lowered": "Change Lowered"}
    for row, t in zip(rows, seed_comparison.targets, strict=True):
        # the priority holding the target: its lead phrase, old → new when they differ
        side = t.new or t.old
        assert side.block_label and side.block_label in row.cells[0].text
        assert row.cells[1].text == t.indicator
        cell = row.cells[4].paragraphs[0]
        if t.change in marks:
            assert cell.text.startswith(marks[t.change])
        if t.change in styles:
            assert cell.runs[0].style.name == styles[t.change]
    tr = table.rows[0]._tr
    assert tr.find(f"{W}trPr/{W}tblHeader") is not None


def test_every_table_repeats_its_header(brief):
    data_tables = [t for t in brief.tables[1:]]
    assert len(data_tables) >= 4
    for t in data_tables:
        assert t.rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None


def test_structure_table_lists_sections(brief, seed_comparison):
    table = next(t for t in brief.tables if t.rows[0].cells[0].text == "原章节")
    body = [a for a in seed_comparison.at("section") if not is_front(seed_comparison, a)]
    assert len(table.rows) - 1 == len(body) == len(seed_comparison.at("section")) - 1
    new_titles = [n.text for n in seed_comparison.new.of_kind("section") if n.role != "front"]
    listed = [r.cells[1].text.strip("　") for r in table.rows[1:]]
    assert listed == new_titles


def test_priorities_show_inline_diffs(brief, seed_comparison):
    changed = [
        a
        for a in seed_comparison.at("block")
        if a.status != "unchanged" and not a.minor and not is_front(seed_comparison, a)
    ]
    assert len(headings(brief, 3)) >= len(changed)
    deleted = [r for p in brief.paragraphs for r in p.runs if r.style.name == "Deleted Text"]
    inserted = [r for p in brief.paragraphs for r in p.runs if r.style.name == "Inserted Text"]
    assert deleted and inserted
    styles = brief.styles
    assert styles["Deleted Text"].font.strike and styles["Deleted Text"].font.color.rgb is not None
    assert styles["Inserted Text"].font.underline


def test_term_tables(brief, seed_comparison):
    terms = [t for t in brief.tables if t.rows[0].cells[0].text == "提法"]
    assert len(terms) == 2
    assert [r.cells[0].text for r in terms[0].rows[1:]] == [
        t.term for t in seed_comparison.terms["new"]
    ]


def test_appendix_is_tracked_and_resolves_to_each_side(brief_bytes, seed_comparison):
    """After the appendix heading the body holds the whole text as tracked changes."""
    from test_redline import read_tracked

    root = body_xml(brief_bytes)
    assert root.findall(f".//{W}ins") and root.findall(f".//{W}del")
    body = root.find(f"{W}body")
    paras = body.findall(f"{W}p")
    styles = [p.find(f"{W}pPr/{W}pStyle") for p in paras]
    first = next(
        i for i, s in enumerate(styles) if s is not None and s.get(f"{W}val").startswith("Redline")
    )
    # Rebuild a body with just the appendix paragraphs and read it with the redline reader.
    for p in paras[:first]:
        body.remove(p)
    for t in body.findall(f"{W}tbl"):
        body.remove(t)
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(brief_bytes)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = etree.tostring(root)
            dst.writestr(item, data)
    appendix = buf.getvalue()
    assert read_tracked(appendix, accept=True) == seed_comparison.new.plain_text().split("\n")
    assert read_tracked(appendix, accept=False) == seed_comparison.old.plain_text().split("\n")


def test_comments_on_changed_priorities_and_targets(brief, seed_comparison):
    comments = list(brief.comments)
    changed = [a for a in seed_comparison.at("block") if a.status != "unchanged"]
    targets = [t for t in seed_comparison.targets if t.change != "unchanged"]
    assert len(comments) >= len(changed) + len(targets) // 2
    assert {c.author for c in comments} == {"diffreport"}
    texts = "\n".join(c.text for c in comments)
    for t in targets[:5]:
        assert t.indicator in texts
    dated = {c.timestamp.year for c in comments if c.timestamp}
    assert dated == {2026}


def test_styles_east_asian_fonts_and_page(brief):
    def east_asia(name: str) -> str:
        rpr = brief.styles[name].element.rPr
        return rpr.find(f"{W}rFonts").get(f"{W}eastAsia")

    assert east_asia("Heading 1") == "黑体"
    assert east_asia("Heading 2") == "楷体"
    assert east_asia("Normal") == "仿宋"
    section = brief.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    footer = section.footer.paragraphs[0]._p
    assert "PAGE" in "".join(footer.itertext())


def test_contents_field(brief_bytes):
    root = body_xml(brief_bytes)
    instr = " ".join(i.text for i in root.iter(f"{W}instrText"))
    assert "TOC" in instr
    links = root.findall(f".//{W}hyperlink")
    assert len(links) >= 6


@pytest.mark.parametrize(
    "pair",
    [
        (SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"),
        (SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2024-plan.txt"),  # the same: no groups
        law_pairs()[1],  # renumbered articles: the renumbering's own heading
        (
            ENGLISH / "github-acceptable-use-policies.2021.md",
            ENGLISH / "github-acceptable-use-policies.2024.md",
        ),
    ],
    ids=["plan", "same", "law", "english"],
)
def test_contents_list_the_headings_written_in_order(pair, epoch):
    """The contents are written first, from the facts (Briefing.outline): they list the
    level-1 and level-2 headings the body then writes, in order, each linked to its own."""
    root = body_xml(docx_brief.render(compare(*pair)))
    links = [
        (link.get(f"{W}anchor"), "".join(link.itertext())) for link in root.iter(f"{W}hyperlink")
    ]
    written = []
    for p in root.iter(f"{W}p"):
        start = p.find(f"{W}bookmarkStart")
        if start is not None and start.get(f"{W}name", "").startswith("_Toc"):
            written.append((start.get(f"{W}name"), "".join(t.text for t in p.iter(f"{W}t"))))
    assert links == written and len(written) >= 6


def test_a_heading_the_outline_lacks_is_an_error(seed_comparison, epoch, monkeypatch):
    outline = docx_brief.Briefing.outline
    monkeypatch.setattr(docx_brief.Briefing, "outline", lambda self: outline(self)[:-1])
    with pytest.raises(RuntimeError, match="not in the outline"):
        docx_brief.render(seed_comparison)
    monkeypatch.setattr(docx_brief.Briefing, "outline", lambda self: [*outline(self), (2, "x")])
    with pytest.raises(RuntimeError, match="did not write"):
        docx_brief.render(seed_comparison)


def test_reproducible_and_dated_by_source_date_epoch(seed_comparison, brief_bytes, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert docx_brief.render(seed_comparison) == brief_bytes
    doc = Document(io.BytesIO(brief_bytes))
    assert doc.core_properties.created.year == 2026
    assert doc.core_properties.modified == doc.core_properties.created


def test_english_input_gives_english_briefing(epoch):
    c = compare(
        ENGLISH / "github-acceptable-use-policies.2021.md",
        ENGLISH / "github-acceptable-use-policies.2024.md",
    )
    doc = Document(io.BytesIO(docx_brief.render(c)))
    assert headings(doc, 1)[0] == wording("en").labels["summary"]
    summary = next(p.text for p in doc.paragraphs if p.style.name == "Body Text")
    assert f"has {len(c.new.of_kind('block'))} " in summary


def test_lang_option_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    old, new = law_pairs()[0]
    out = tmp_path / "b.docx"
    result = CliRunner().invoke(main, ["brief", str(old), str(new), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    doc = Document(str(out))
    assert headings(doc, 1)[0] == wording("en").labels["summary"]


def test_document_text_is_never_templated(tmp_path, monkeypatch):
    """Braces, markup and control characters in the documents come out literally."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    old = "一、总则\n（一）适用范围。本办法适用于 {{ 7*7 }} 和 <b>&amp; 的情形。\n"
    new = "一、总则\n（一）适用范围。本办法适用于 {{ 7*7 }} {% if x %} 和 <b>&amp;\x0b 的新情形。\n"
    doc = Document(io.BytesIO(docx_brief.render(compare(old, new))))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "{{ 7*7 }}" in text and "{% if x %}" in text and "<b>&amp;" in text
    assert "49" not in text


@pytest.fixture(scope="module")
def converted(brief_bytes, seed_comparison, epoch, tmp_path_factory):
    """Briefing and redline converted to PDF by LibreOffice in one run (it is slow)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    folder = tmp_path_factory.mktemp("pdf")
    (folder / "briefing.docx").write_bytes(brief_bytes)
    (folder / "redline.docx").write_bytes(docx_redline.render(seed_comparison))
    profile = folder / "profile"
    proc = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(folder / "briefing.docx"),
            str(folder / "redline.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return folder, proc


@pytest.mark.parametrize("name", ["briefing", "redline"])
def test_libreoffice_converts(converted, name):
    folder, proc = converted
    pdf = folder / f"{name}.pdf"
    assert pdf.exists(), proc.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20000
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert ("摘要" if name == "briefing" else "南开区") in text


def test_make_brief_target_writes_the_seed_briefing(tmp_path, monkeypatch):
    """`make brief` runs `diffreport brief OLD NEW -o out/briefing.docx`: the same command."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(SEEDS.parent)
    out = tmp_path / "briefing.docx"
    result = CliRunner().invoke(main, ["brief", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert headings(Document(str(out)), 1)[0] == wording("zh").labels["summary"]


def test_identical_documents_give_a_briefing_without_empty_sections(epoch):
    path = SEEDS / "nankai-2025-plan.txt"
    c = compare(path, path)
    doc = Document(io.BytesIO(docx_brief.render(c)))
    assert len(headings(doc, 1)) == 6
    test_no_heading_is_left_empty(doc)
    assert not list(doc.comments)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "未发现任何改动" in text


def test_english_summary_sentences_are_spaced(epoch):
    """Each sentence of the English summary starts after a space, including after a list of
    headline targets (`… cessation”.Of 3 targets` read as one word)."""
    old = (
        "1. Budget\n\nThe council shall publish the annual budget within 30 days of the vote.\n\n"
        "2. Staff\n\nThe council shall employ at least 12 inspectors in each district."
    )
    new = old.replace("30 days", "60 days").replace("12 inspectors", "20 inspectors")
    c = compare(old, new)
    assert c.targets
    doc = Document(io.BytesIO(docx_brief.render(c)))
    summary = [p.text for p in doc.paragraphs if p.style.name == "Body Text"]
    assert any("Of " in p for p in summary)
    for p in summary:
        assert not re.search(r"[a-z0-9”)][.;:][A-Z]", p), p
    # a plan's vocabulary (measures, priorities) is not a licence's or a statute's
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "measure" not in text.lower()


def test_a_text_without_sections_gets_no_empty_structure_table(epoch):
    """A regulation of bare articles (no 章): one sentence says so, no header-only table, and
    its changed articles sit under 全文, not under the name for what precedes a first section."""
    old, new = sorted((FIXTURES / "law" / "revisions").glob("长江河道采砂管理条例.*.md"))
    c = compare(old, new)
    assert all(s.role == "front" for s in c.old.of_kind("section") + c.new.of_kind("section"))
    doc = Document(io.BytesIO(docx_brief.render(c)))
    section_header = wording("zh").labels["col_old_section"]
    assert not any(t.rows[0].cells[0].text == section_header for t in doc.tables)
    text = [p.text for p in doc.paragraphs]
    assert "两份文件均未分章节，条款对照见下文。" in text
    assert "全文" in headings(doc, 2) and "开篇部分" not in headings(doc, 2)
    test_no_heading_is_left_empty(doc)


def test_compiled_wording_is_kept_in_the_private_cache_and_gives_the_same_briefing(tmp_path):
    """A cold run compiles the wording once and keeps it in the cache folder; the next run
    loads it (no compiling) and writes the same bytes."""
    import os
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": EPOCH}
    outputs, stamps = [], []
    for n in range(2):
        out = tmp_path / f"b{n}.docx"
        code = (
            "import sys; from diffreport.cli import main; "
            f"main(['brief', '-o', {str(out)!r}], standalone_mode=False)"
        )
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
        outputs.append(out.read_bytes())
        kept = list((tmp_path / "cache" / "diffreport" / "templates").iterdir())
        assert len(kept) == 1 and kept[0].stat().st_size > 10_000, kept
        stamps.append(kept[0].stat().st_mtime_ns)
    assert stamps[0] == stamps[1]  # read, not written again
    assert outputs[0] == outputs[1]


def test_appendix_made_in_a_child_gives_the_same_briefing(
    seed_comparison, brief_bytes, monkeypatch
):
    """The appendix's script and paragraphs made in a forked child (as for long documents)
    give the bytes made in process; so does a child that fails (its work done here)."""
    from diffreport import sidecar

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    if not sidecar.can_fork(sidecar.FORK_MIN_CHARS, None):
        pytest.skip("no fork here (one core, not Linux, or another thread running)")
    forked: list[int] = []

    class Counted(sidecar.Staged):
        def __init__(self, *args) -> None:
            super().__init__(*args)
            forked.append(self._pid or 0)

    monkeypatch.setattr(docx_brief, "APPENDIX_FORK_MIN_CHARS", 0)
    monkeypatch.setattr(docx_brief, "can_fork", lambda chars, workers: True)
    monkeypatch.setattr(docx_brief, "Staged", Counted)
    assert docx_brief.render(seed_comparison) == brief_bytes
    assert forked and forked[0] > 0

    def failing(c, revisions):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        yield from real(c, revisions)

    parent, real = os.getpid(), docx_brief.appendix_work
    monkeypatch.setattr(docx_brief, "appendix_work", failing)
    assert docx_brief.render(seed_comparison) == brief_bytes
    assert len(forked) == 2


def test_set_up_ahead_gives_the_same_briefing_and_table(seed_comparison, epoch):
    """A writer's set-up made from the documents before the comparison is done (prepare,
    the CLI's compare(meanwhile=…)) gives the same bytes as made after, and fixes the
    language (auto or given)."""
    from diffreport.writers import docx_table

    c = seed_comparison
    for lang in ("auto", "en"):
        ready = docx_brief.prepare(c.old, c.new, lang)
        assert ready.lang == ("zh" if lang == "auto" else "en")
        assert docx_brief.render(c, lang=lang, ready=ready) == docx_brief.render(c, lang=lang)
        ready = docx_table.prepare(c.old, c.new, lang)
        assert docx_table.render(c, lang=lang, ready=ready) == docx_table.render(c, lang=lang)


@pytest.mark.parametrize(
    "fork,capped,failing",
    [(False, False, False), (True, False, False), (True, True, False), (True, False, True)],
)
def test_briefing_begun_ahead_gives_the_same_briefing(fork, capped, failing, epoch, monkeypatch):
    """The briefing begun while the comparison waits for its side work (prepare_ahead, the
    CLI's compare(meanwhile=…): the body's facts found, the appendix begun in a forked child
    where that pays) from the documents and alignments alone gives the bytes made after the
    comparison, whose targets and terms (not there yet) it never reads; it serves only the
    comparison it was made from. Above AHEAD_FORK_MAX_CHARS the child is forked after; a
    child that fails has its work done here, from the documents and alignments it was given."""
    from diffreport import sidecar

    if fork and not sidecar.can_fork(sidecar.FORK_MIN_CHARS, None):
        pytest.skip("no fork here (one core, not Linux, or another thread running)")
    if fork:  # (the pairs are small: forked as a long one would be)
        monkeypatch.setattr(docx_brief, "APPENDIX_FORK_MIN_CHARS", 0)
        monkeypatch.setattr(
            docx_brief, "can_fork", lambda chars, workers: sidecar.can_fork(10**9, workers)
        )
    if capped:
        monkeypatch.setattr(docx_brief, "AHEAD_FORK_MAX_CHARS", 0)
    if failing:
        parent, real = os.getpid(), docx_brief.appendix_work

        def fails_beside(c, revisions):
            if os.getpid() != parent:
                raise RuntimeError("the child fails")
            yield from real(c, revisions)

        monkeypatch.setattr(docx_brief, "appendix_work", fails_beside)
    english = tuple(ENGLISH / f"github-acceptable-use-policies.{y}.md" for y in (2021, 2024))
    pairs = [(SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"), law_pairs()[0]]
    for old, new in [*pairs, english]:
        for lang in ("auto", "en") if (old, new) != english else ("auto", "zh"):
            seen = []

            def ahead(o, n, alignments, lang=lang, seen=seen):
                made = docx_brief.prepare_ahead(o, n, alignments, lang)
                seen.append(made.child is not None)
                assert (made.body is not None) == (made.child is not None)
                return made

            c = compare(old, new, meanwhile=ahead, workers=None if fork else 1)
            if (old, new) != english:
                assert c.targets and (c.terms.get("new") or c.terms.get("dropped"))
            if lang == "auto":  # (the language found as the briefing without a set-up finds it)
                assert c.prepared.setup.lang == ("en" if (old, new) == english else "zh")
            assert seen == [fork and not capped]
            assert docx_brief.render(c, lang=lang, ready=c.prepared) == docx_brief.render(
                c, lang=lang
            )
    other = compare(*pairs[0], workers=1)
    with pytest.raises(ValueError, match="another comparison"):
        docx_brief.render(other, ready=c.prepared)


def test_a_briefing_begun_ahead_and_never_rendered_ends_its_child(epoch, monkeypatch):
    """The appendix's child forked ahead ends with the set-up that holds it, rendered or not
    (a host whose comparison fails after the set-up keeps no process)."""
    import gc

    from diffreport import sidecar

    listing = f"/proc/{os.getpid()}/task/{os.getpid()}/children"
    if not os.path.exists(listing) or not sidecar.can_fork(sidecar.FORK_MIN_CHARS, None):
        pytest.skip(
            "no fork here (one core, not Linux, or another thread running), or no listing of a process's children"
        )

    def children() -> set[str]:
        with open(listing) as f:
            return set(f.read().split())

    monkeypatch.setattr(docx_brief, "APPENDIX_FORK_MIN_CHARS", 0)
    monkeypatch.setattr(
        docx_brief, "can_fork", lambda chars, workers: sidecar.can_fork(10**9, workers)
    )
    c = compare(SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt", workers=1)
    before = children()
    made = docx_brief.prepare_ahead(c.old, c.new, c.alignments)
    assert made.child is not None and len(children() - before) == 1
    del made
    gc.collect()
    assert children() <= before
