"""The 修改前后对照表 (diffreport table): read back with python-docx, then by real clients —
pandoc (rows, columns, the header row, the character styles) and LibreOffice (PDF: landscape,
the header repeated on every page, the units' text; ODT: the marks keep their style names)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from collections import Counter

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SEEDS, law_pairs
from docx import Document
from lxml import etree

from diffreport.cli import main
from diffreport.compare import compare
from diffreport.writers import docx_table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EPOCH = "1767225600"  # 2026-01-01
SEED_PAIR = (SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt")
MOVES_PAIR = (SEEDS / "nankai-2021-government-work-report.txt", SEEDS / "nankai-2024-plan.txt")
LAW_PAIR = law_pairs()[1]  # 上海市优化营商环境条例 2020 → 2024: 101 articles, renumbered
TEXT_STYLES = {"Comparison Text", "Comparison Heading"}


@pytest.fixture(scope="module", autouse=True)
def epoch():
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    yield
    mp.undo()


@pytest.fixture(
    scope="module", params=[SEED_PAIR, MOVES_PAIR, *law_pairs()], ids=lambda p: p[0].stem
)
def pair(request):
    c = compare(*request.param)
    return c, docx_table.render(c)


def style_names(doc) -> dict[str, str]:
    return {s.style_id: s.name for s in doc.styles}


def cell_text(tc, names: dict[str, str]) -> str | None:
    """A cell's unit text (its paragraphs joined by line breaks), or None for a note cell."""
    paras = tc.findall(f"{W}p")
    styles = {names.get(p.find(f"{W}pPr/{W}pStyle").get(f"{W}val")) for p in paras}
    if not styles & TEXT_STYLES:
        return None
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in paras)


def columns(data: bytes):
    """Each body row's cells (header excluded), as python-docx reads the document."""
    doc = Document(io.BytesIO(data))
    assert len(doc.tables) == 1
    names = style_names(doc)
    trs = doc.tables[0]._tbl.findall(f"{W}tr")
    return doc, names, trs


def test_one_table_three_columns_header_repeated(pair):
    c, data = pair
    doc, names, trs = columns(data)
    header = trs[0]
    assert header.find(f"{W}trPr/{W}tblHeader") is not None
    texts = ["".join(t.text for t in tc.iter(f"{W}t")) for tc in header.findall(f"{W}tc")]
    assert texts == ["修改前", "修改后", "说明"]
    assert len(doc.tables[0]._tbl.findall(f"{W}tblGrid/{W}gridCol")) == 3
    assert not any(tr.find(f"{W}trPr/{W}tblHeader") is not None for tr in trs[1:])


def test_landscape_a4(pair):
    _, data = pair
    section = Document(io.BytesIO(data)).sections[0]
    assert section.orientation == 1  # WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)


def test_left_cells_hold_the_old_text_right_cells_the_new(pair):
    """Every section and block of each side is in its column exactly once, as written."""
    c, data = pair
    _, names, trs = columns(data)
    left, right = Counter(), Counter()
    for tr in trs[1:]:
        tcs = tr.findall(f"{W}tc")
        if len(tcs) == 1:  # a heading the same in both versions
            text = cell_text(tcs[0], names)
            left[text] += 1
            right[text] += 1
            continue
        for tc, side in zip(tcs[:2], (left, right), strict=True):
            text = cell_text(tc, names)
            if text:
                side[text] += 1
    for side, doc in ((left, c.old), (right, c.new)):
        expected = Counter(n.text for n in doc.nodes if n.kind in ("section", "block"))
        assert side == expected


def test_marks_are_named_character_styles_on_their_own_side(pair):
    c, data = pair
    doc, names, trs = columns(data)
    deleted = inserted = ""
    for tr in trs[1:]:
        tcs = tr.findall(f"{W}tc")
        for i, tc in enumerate(tcs):
            for r in tc.iter(f"{W}r"):
                style = r.find(f"{W}rPr/{W}rStyle")
                name = names.get(style.get(f"{W}val")) if style is not None else None
                text = "".join(t.text or "" for t in r.iter(f"{W}t"))
                if name == "Comparison Deleted":
                    assert i == 0 and len(tcs) == 3
                    deleted += text
                elif name == "Comparison Inserted":
                    assert i == 1 and len(tcs) == 3
                    inserted += text
    # At least every changed block's inline diff is marked (dropped and new units in full).
    for a in c.at("block"):
        for op, text in a.diff or []:
            text = text.replace("\n", "")  # a line break starts a paragraph
            if op == "delete":
                assert text in deleted
            elif op == "insert":
                assert text in inserted
    assert deleted and inserted
    # The styles say what a drafter expects: bold + strikethrough, bold + underline.
    deleted_style = doc.styles["Comparison Deleted"].font
    inserted_style = doc.styles["Comparison Inserted"].font
    assert deleted_style.bold and deleted_style.strike
    assert inserted_style.bold and inserted_style.underline


def test_title_names_both_documents_and_dates():
    c = compare(*LAW_PAIR)
    doc = Document(io.BytesIO(docx_table.render(c)))
    top = "\n".join(p.text for p in doc.paragraphs)
    assert "《上海市优化营商环境条例》修改前后对照表" in top
    assert "2020年4月10日" in top and "2024年9月27日" in top
    assert LAW_PAIR[0].name in top and LAW_PAIR[1].name in top


def test_renumbered_and_moved_units_are_noted():
    law = docx_table.render(compare(*LAW_PAIR))
    notes = Document(io.BytesIO(law)).tables[0].columns[2].cells
    assert any("原第二十三条" in cell.text for cell in notes)
    moves = Document(io.BytesIO(docx_table.render(compare(*MOVES_PAIR))))
    texts = [cell.text for cell in moves.tables[0].columns[2].cells]
    assert any(t.startswith("移至") for t in texts)
    assert any("移自" in t for t in texts)


@pytest.mark.parametrize(
    ("lang", "sep", "words"),
    [
        (
            "zh",
            "；",
            {
                "moved-away": "移至第三章",
                "new": "新增",
                "dropped": "删除",
                "split": "拆分为2条",
                "merged": "由3条合并",
                "minor": "文字调整",
                "changed": "修改",
                "moved": "移自第一章",
                "renumbered": "原第十条",
                "uncertain": "对应关系待核",
            },
        ),
        (
            "en",
            "; ",
            {
                "moved-away": "moved to Part 3",
                "new": "new",
                "dropped": "dropped",
                "split": "split into 2",
                "merged": "merged from 3",
                "minor": "minor edit",
                "changed": "changed",
                "moved": "moved from Part 1",
                "renumbered": "formerly 第十条",
                "uncertain": "pairing uncertain",
            },
        ),
    ],
)
def test_note_column_says_the_status_then_the_details(lang, sep, words):
    """The note's wording over every status and detail, alone and together: the status
    first, then moved, renumbered and uncertain, empty parts left out."""
    from types import SimpleNamespace

    from diffreport.writers.templates import wording

    macros = wording(lang, "sidebyside")
    for kind, status, minor in (
        ("unit", "unchanged", False),
        ("unit", "changed", False),
        ("unit", "changed", True),
        ("unit", "new", False),
        ("unit", "dropped", False),
        ("unit", "split", False),
        ("unit", "merged", False),
        ("moved-away", "changed", False),
        ("heading", "changed", False),
    ):
        for moved in (False, True):
            for renumbered in ("", "第十条"):
                for uncertain in (False, True):
                    r = SimpleNamespace(
                        kind=kind,
                        status=status,
                        minor=minor,
                        moved=moved,
                        moved_from="Part 1" if lang == "en" else "第一章",
                        moved_to="Part 3" if lang == "en" else "第三章",
                        renumbered=renumbered,
                        uncertain=uncertain,
                        old=[None] * 3,
                        new=[None] * 2,
                    )
                    said = (
                        "moved-away"
                        if kind == "moved-away"
                        else "minor"
                        if minor and status == "changed"
                        else status
                    )
                    parts = [words.get(said, "")]
                    parts += [words["moved"]] if moved and kind != "moved-away" else []
                    parts += [words["renumbered"]] if renumbered else []
                    parts += [words["uncertain"]] if uncertain else []
                    expected = sep.join(p for p in parts if p)
                    assert str(macros.remark(r, "statute")).strip() == expected, vars(r)


def test_changed_only_folds_unchanged_articles():
    c = compare(*LAW_PAIR)
    full = Document(io.BytesIO(docx_table.render(c)))
    short = Document(io.BytesIO(docx_table.render(c, changed_only=True)))
    folded = [
        "".join(t.text or "" for t in p.iter(f"{W}t")) for p in short.tables[0]._tbl.iter(f"{W}p")
    ]
    assert any(t.endswith("未作修改") and "至" in t for t in folded)
    assert len(short.tables[0].rows) < len(full.tables[0].rows)
    changed = [a for a in c.at("block") if a.status != "unchanged"]
    body = "\n".join(folded)
    for a in changed[:20]:
        for i in a.new:
            assert c.new.node(i).text.split("\n")[0] in body


def test_sentence_level_has_a_row_per_sentence():
    c = compare(*SEED_PAIR)
    doc = Document(io.BytesIO(docx_table.render(c, level="sentence")))
    rows_with_text = len(doc.tables[0].rows) - 1
    assert rows_with_text >= len(c.at("sentence"))


def test_english_pair_gets_english_columns():
    english = FIXTURES / "english"
    c = compare(
        english / "github-acceptable-use-policies.2021.md",
        english / "github-acceptable-use-policies.2024.md",
    )
    doc = Document(io.BytesIO(docx_table.render(c)))
    assert [cell.text for cell in doc.tables[0].rows[0].cells] == ["Old", "New", "Note"]
    assert doc.styles["Comparison Text"].paragraph_format.alignment == 0  # left, not justified


def test_cli_writes_the_table(tmp_path):
    out = tmp_path / "对照表.docx"
    result = CliRunner().invoke(
        main, ["table", str(LAW_PAIR[0]), str(LAW_PAIR[1]), "-o", str(out), "--changed-only"]
    )
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(out)
    # Output safety applies: the output may not be one of the inputs.
    result = CliRunner().invoke(main, ["table", str(LAW_PAIR[0]), str(out), "-o", str(out)])
    assert result.exit_code == 2


def test_reproducible(pair):
    c, data = pair
    assert docx_table.render(c) == data


@pytest.mark.parametrize("level", ["block", "sentence"])
@pytest.mark.parametrize("changed_only", [False, True])
def test_rows_made_ahead_give_the_same_table(level, changed_only):
    """The rows made while the comparison waits for its side work (prepare_ahead, the CLI's
    compare(meanwhile=…): the documents and the alignments, no targets or terms yet) give
    the bytes made after it; they serve only that comparison at that view."""
    for old, new in (SEED_PAIR, LAW_PAIR):
        for lang in ("auto", "en"):
            c = compare(
                old,
                new,
                meanwhile=lambda o, n, a, lang=lang: docx_table.prepare_ahead(
                    o, n, a, lang, level, changed_only
                ),
            )
            made = docx_table.render(c, lang, level, changed_only, ready=c.prepared)
            assert made == docx_table.render(c, lang, level, changed_only)
    with pytest.raises(ValueError, match="rows were made for"):
        docx_table.render(c, level=level, changed_only=not changed_only, ready=c.prepared)
    with pytest.raises(ValueError, match="another comparison"):
        docx_table.render(compare(*SEED_PAIR), level=level, ready=c.prepared)


# ------------------------------------------------------------------ real clients


def test_pandoc_reads_rows_columns_header_and_styles(tmp_path):
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc not installed")
    c = compare(*LAW_PAIR)
    path = tmp_path / "table.docx"
    path.write_bytes(docx_table.render(c))
    html = subprocess.run(
        ["pandoc", "-f", "docx+styles", "-t", "html", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    page = etree.HTML(html)
    tables = page.findall(".//table")
    assert len(tables) == 1
    head = [th.xpath("string()").strip() for th in tables[0].findall("./thead/tr/th")]
    assert head == ["修改前", "修改后", "说明"]
    assert len(tables[0].findall("./colgroup/col")) == 3
    body_rows = tables[0].findall("./tbody/tr")
    # One row per section and block alignment (no split or merged blocks in this pair).
    assert len(body_rows) == len(c.at("section")) + len(c.at("block"))
    deleted = page.xpath('//span[@data-custom-style="Comparison Deleted"]')
    inserted = page.xpath('//span[@data-custom-style="Comparison Inserted"]')
    changed = [a for a in c.at("block") if a.diff]
    assert len(deleted) >= sum(1 for a in changed if any(op == "delete" for op, _ in a.diff))
    assert len(inserted) >= sum(1 for a in changed if any(op == "insert" for op, _ in a.diff))


@pytest.fixture(scope="module")
def libreoffice(tmp_path_factory):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    tmp = tmp_path_factory.mktemp("lo")
    c = compare(*LAW_PAIR)
    src = tmp / "对照表.docx"
    src.write_bytes(docx_table.render(c))
    for fmt in ("pdf", "odt"):
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(tmp),
                str(src),
            ],
            capture_output=True,
            check=True,
            timeout=240,
        )
    return c, tmp / "对照表.pdf", tmp / "对照表.odt"


def test_libreoffice_pdf_is_landscape_with_the_header_on_every_page(libreoffice):
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils not installed")
    c, pdf, _ = libreoffice
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    width, height = (float(x) for x in size.split(":")[1].split("pts")[0].split(" x "))
    assert width > height and round(width) == 842  # A4 landscape, in points
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages")).split()[-1])
    assert pages > 3
    texts = []
    for page in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        texts.append(text)
        assert "修改前" in text and "修改后" in text and "说明" in text, f"page {page}"
    whole = "".join(texts).replace("\n", "").replace(" ", "")
    for a in c.at("block")[:: max(1, len(c.at("block")) // 15)]:
        for i in a.new:
            assert c.new.node(i).text[:12].replace(" ", "") in whole


def test_libreoffice_keeps_the_character_style_names(libreoffice):
    c, _, odt = libreoffice
    with zipfile.ZipFile(odt) as z:
        content = z.read("content.xml").decode("utf-8")
        styles = z.read("styles.xml").decode("utf-8")
    assert 'text:style-name="Comparison_20_Deleted"' in content
    assert 'text:style-name="Comparison_20_Inserted"' in content
    assert 'style:name="Comparison_20_Deleted"' in styles
