"""PDF, hard-wrapped text and old Word formats, on layouts made as offices make them.

The seed plans, the fixture laws and an English policy are laid out by `tests/layouts.py`
(running header, `— N —` footer, 16 pt body with first-line indents, centred bold headings),
printed to PDF by LibreOffice and turned back to text by `pdftotext`, once per session under a
temporary folder. Comparing those PDFs and texts must find the pairs the clean sources give.
Needs LibreOffice and poppler-utils (`.ci/run` installs them); skipped, never passed, without.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import layouts
import pytest
from conftest import FIXTURES, SEEDS, law_pairs
from test_compare import PRIORITY_PAIRS

from diffreport.compare import compare, load
from diffreport.errors import InputError
from diffreport.normalise import match_key
from diffreport.readers import read, read_bytes
from diffreport.readers.lines import Joiner, Line, drop_running, is_page_number, read_wrapped

ENGLISH = FIXTURES / "english"
EN_NAMES = ("github-acceptable-use-policies.2021", "github-acceptable-use-policies.2024")
needs_tools = pytest.mark.skipif(
    layouts.soffice() is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice (soffice) and poppler-utils (pdftotext)",
)


@pytest.fixture(scope="session")
def office(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """{"pdf" | "pdftotext" | "source": {name: path}} for seeds, laws and English."""
    if layouts.soffice() is None or shutil.which("pdftotext") is None:
        pytest.skip("needs LibreOffice (soffice) and poppler-utils (pdftotext)")
    folder = tmp_path_factory.mktemp("office-layouts")
    sources: dict[str, tuple[Path, bool]] = {
        "seed-old": (SEEDS / "nankai-2024-plan.txt", False),
        "seed-new": (SEEDS / "nankai-2025-plan.txt", False),
    }
    for i, (old, new) in enumerate(law_pairs()):
        sources[f"law{i}-old"], sources[f"law{i}-new"] = (old, False), (new, False)
    for name in EN_NAMES:
        sources[name] = (ENGLISH / f"{name}.md", True)
    pdfs = layouts.build(sources, folder)
    wrapped, unwrapped = {}, {}
    for name in EN_NAMES:
        paragraphs = layouts.english_paragraphs(ENGLISH / f"{name}.md")
        wrapped[name] = folder / f"{name}.wrapped72.txt"
        wrapped[name].write_text(layouts.wrap_english(paragraphs), encoding="utf-8")
        unwrapped[name] = folder / f"{name}.unwrapped.txt"
        unwrapped[name].write_text(layouts.wrap_english(paragraphs, 10**6), encoding="utf-8")
    return {
        "pdf": pdfs,
        "pdftotext": {name: layouts.pdftotext(pdf) for name, pdf in pdfs.items()},
        "wrapped": wrapped,
        "unwrapped": unwrapped,
        "source": {name: path for name, (path, _) in sources.items()},
    }


# --- the pairs found on PDFs and their text are those found on the clean sources -----------


def _priorities(c) -> dict[str, list[str]]:
    found = {}
    for a in c.at("block"):
        for o in a.old:
            title = c.old.node(o).title
            if title in PRIORITY_PAIRS:
                found[title] = [c.new.node(n).title for n in a.new]
    return found


def _numbered_section_pairs(c) -> set[tuple[str, str]]:
    return {
        (match_key(c.old.node(a.old[0]).text), match_key(c.new.node(a.new[0]).text))
        for a in c.at("section")
        if a.old and a.new and c.old.node(a.old[0]).label[:1].isdigit()
    }


@needs_tools
@pytest.mark.parametrize("kind", ["pdf", "pdftotext"])
def test_seed_plans_pair_as_their_clean_text(office, kind):
    files = office[kind]
    c = compare(files["seed-old"], files["seed-new"])
    found = _priorities(c)
    assert {k: v for k, v in found.items() if PRIORITY_PAIRS[k] not in v} == {}
    assert len(found) == 16
    clean = _numbered_section_pairs(
        compare(*(office["source"][k] for k in ("seed-old", "seed-new")))
    )
    assert len(clean) == 5
    assert clean <= _numbered_section_pairs(c)


def _article_pairs(c) -> dict[tuple[str, str], str]:
    out = {}
    for a in c.at("block"):
        for o in a.old:
            for n in a.new:
                old, new = c.old.node(o).label, c.new.node(n).label
                if old.startswith("第") and new.startswith("第"):
                    out[(old, new)] = a.status
    return out


def _article_texts(doc) -> dict[str, str]:
    """Article texts without their numbers: `unchanged` means these are equal."""
    return {
        b.label: match_key(b.text[len(b.label) :])
        for b in doc.of_kind("block")
        if b.label.startswith("第")
    }


@needs_tools
@pytest.mark.parametrize("kind", ["pdf", "pdftotext"])
def test_law_articles_pair_as_in_their_clean_text(office, kind):
    total = found = 0
    false_unchanged = []
    for i in range(len(law_pairs())):
        source = compare(*(office["source"][f"law{i}-{v}"] for v in ("old", "new")))
        clean = _article_pairs(source)
        laid = _article_pairs(compare(office[kind][f"law{i}-old"], office[kind][f"law{i}-new"]))
        total += len(clean)
        found += sum(1 for pair in clean if pair in laid)
        # `unchanged` where the two articles' source texts differ
        old_text, new_text = _article_texts(source.old), _article_texts(source.new)
        false_unchanged += [
            (o, n)
            for (o, n), s in laid.items()
            if s == "unchanged" and old_text.get(o) != new_text.get(n)
        ]
    assert total > 150
    assert found >= 0.97 * total, (found, total)
    assert false_unchanged == []


@needs_tools
@pytest.mark.parametrize("kind", ["wrapped", "pdf", "pdftotext"])
def test_english_comes_out_as_its_paragraphs(office, kind):
    for name in EN_NAMES:
        source = load(ENGLISH / f"{name}.md")
        laid = load(office[kind][name])
        want = len(source.of_kind("block"))
        assert abs(len(laid.of_kind("block")) - want) <= 0.1 * want, (name, kind)
        assert laid.title == source.title


@needs_tools
def test_wrapped_english_diff_compares_paragraphs(office):
    """Wrapping alone changes nothing: a text against its 72-column wrapping is the same."""
    for name in EN_NAMES:
        c = compare(office["unwrapped"][name], office["wrapped"][name])
        assert c.same, c.counts("block")


# --- what the PDF reader recovers and drops ----------------------------------------------------


@needs_tools
def test_running_header_and_page_numbers_are_dropped(office):
    source = read(office["pdf"]["law0-old"])
    title = source.paragraphs[0].text
    assert source.format == "pdf"
    assert source.paragraphs[0].heading_level == 1  # 22 pt centred: the title
    texts = [p.text for p in source.paragraphs]
    assert texts.count(title) == 1  # the header repeating it on every page is gone
    assert not any(is_page_number(t) for t in texts)
    dropped = [d.split(": ", 1)[1] for d in source.dropped]
    assert "— 1 —" in dropped and "— 2 —" in dropped
    assert dropped.count(title) >= 2


@needs_tools
def test_pdf_laws_have_the_structure_of_their_source(office):
    """Chapters stay numbered paragraphs for the statute parser, as in a .docx; indented
    `（一）` items are not taken for centred headings."""
    for i in range(len(law_pairs())):
        for version in ("old", "new"):
            laid = load(office["pdf"][f"law{i}-{version}"])
            source = load(office["source"][f"law{i}-{version}"])
            assert laid.genre == source.genre == "statute"
            chapters = [n.label for n in source.of_kind("section") if n.label]
            assert [n.label for n in laid.of_kind("section") if n.label] == chapters
            assert len(laid.of_kind("block")) == len(source.of_kind("block"))


@needs_tools
def test_chinese_lines_join_without_spaces_and_digits_keep_no_space(office):
    text = "\n".join(p.text for p in read(office["pdf"]["seed-old"]).paragraphs)
    assert "2024年" in text and "2024 年" not in text
    # the paragraph crossing the page 1/2 boundary is one paragraph
    assert any(
        p.startswith("2024年是中华人民共和国成立75周年") and p.endswith("展现更大作为。")
        for p in text.split("\n")
    )


@needs_tools
def test_pdf_is_recognised_by_content_not_name(office, tmp_path):
    renamed = tmp_path / "plan"
    renamed.write_bytes(office["pdf"]["seed-old"].read_bytes())
    assert read(renamed).format == "pdf"


@needs_tools
def test_show_lists_what_was_dropped(office):
    done = subprocess.run(
        [sys.executable, "-m", "diffreport", "show", str(office["pdf"]["seed-old"])],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0
    assert "dropped as running header, footer or page number" in done.stdout
    assert "— N —" in done.stdout


TABLE = [("指标", "2024年", "2025年"), ("地区生产总值增速", "4%以上", "4.5%左右"),
         ("固定资产投资增速", "5%", "6%以上")]  # fmt: skip
NOTE_BODY = "为了规范管理，提高服务质量，根据有关法律法规，结合本市实际情况，制定本办法。" * 3
NOTE = "本办法所称服务机构，是指依法设立并从事相关业务的单位。"


@pytest.fixture(scope="session")
def table_and_footnote(tmp_path_factory) -> dict[str, Path]:
    if layouts.soffice() is None:
        pytest.skip("needs LibreOffice (soffice)")
    folder = tmp_path_factory.mktemp("table-footnote")
    sources = [
        layouts.table_docx(folder / "table.docx", "主要指标如下表所示。", TABLE, "以上为预期值。"),
        layouts.footnote_rtf(
            folder / "footnote.rtf",
            NOTE_BODY,
            NOTE,
            "其余条款依照执行。",
            "第二段文字，不涉及脚注。",
        ),
    ]
    table, footnote = layouts.to_pdf(sources, folder)
    return {"table": table, "footnote": footnote}


def test_table_cells_stay_in_rows(table_and_footnote):
    texts = [p.text for p in read(table_and_footnote["table"]).paragraphs]
    assert texts == ["主要指标如下表所示。", *(" | ".join(row) for row in TABLE), "以上为预期值。"]


def test_footnotes_are_kept_apart(table_and_footnote):
    texts = [p.text for p in read(table_and_footnote["footnote"]).paragraphs]
    # the body paragraph is whole (its footnote mark stays in it) and the note comes last
    assert texts == [NOTE_BODY + "1其余条款依照执行。", "第二段文字，不涉及脚注。", "1" + NOTE]


def test_page_numbers_in_their_usual_forms():
    for text in ("— 1 —", "-1-", "- 12 -", "第 1 页", "第1页 共9页", "第3页/共9页", "Page 1 of 9",
                 "page 3", "7", "iv", "1/9"):  # fmt: skip
        assert is_page_number(text), text
    for text in ("第一条", "2024年", "一、总则", "Page one", "Preamble", "1. Scope"):
        assert not is_page_number(text), text


def test_running_lines_need_most_pages_and_an_edge():
    def page(n: int, body: str) -> list[Line]:
        return [Line("Annual Plan", 0, 10), Line(body, 0, 50), Line(f"- {n} -", 0, 5)]

    bodies = ["First words.", "Second line", "Third one", "More text"]
    pages, dropped = drop_running([page(n, bodies[n - 1]) for n in range(1, 5)])
    assert [[x.text for x in p] for p in pages] == [[b] for b in bodies]
    assert "p.1: Annual Plan" in dropped and "p.4: - 4 -" in dropped
    # a line repeated in the middle of pages is text, not a header
    pages, dropped = drop_running([[Line("a", 0, 1), Line("same", 0, 4), Line("z", 0, 1)]] * 1)
    assert [x.text for x in pages[0]] == ["a", "same", "z"]


def test_joining_lines():
    j = Joiner(set())
    assert j.join("深化改革", "开放") == "深化改革开放"
    assert j.join("the Service", "in compliance") == "the Service in compliance"
    assert j.join("an inter-", "national treaty") == "an international treaty"
    assert j.join("a well-", "known rule") == "a well-known rule"  # `wellknown` is no word
    assert Joiner({"co-operate"}).join("to co-", "operate") == "to co-operate"
    assert j.join("实现 R&D", "经费") == "实现 R&D经费"
    # text wrapped by a tool breaks only at real hyphens
    assert Joiner(set(), dictionary=False).join("other give-", "aways") == "other give-aways"


# --- hard-wrapped plain text ----------------------------------------------------------------


def test_one_paragraph_per_line_texts_are_read_as_before():
    files = [*SEEDS.glob("*.txt"), *(FIXTURES / "law").glob("*.md"), *ENGLISH.glob("*.md")]
    assert len(files) >= 10
    for path in files:
        assert read_wrapped(path.read_text(encoding="utf-8"), path.suffix == ".md") is None, path


def test_hard_wrapped_licence_becomes_paragraphs(tmp_path):
    paragraphs = [
        ("body", "This licence lets you copy, modify and share the work, provided that every copy"
         " carries this notice and that modified versions are marked as such. " * 3),
        ("body", "There is no warranty for the work, to the extent permitted by applicable law."
         " Except when otherwise stated in writing the holders provide the work as is. " * 2),
        ("body", "Short last paragraph."),
    ]  # fmt: skip
    path = tmp_path / "licence.txt"
    path.write_text(layouts.wrap_english(paragraphs, 72).replace("\n\n", "\n"), encoding="utf-8")
    got = [p.text for p in read(path).paragraphs]
    assert got == [t.strip() for _, t in paragraphs]


# --- refusals ---------------------------------------------------------------------------------


def _pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_IMAGE = _stream(
    b"\xff\x00\x00",
    b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceRGB"
    b" /BitsPerComponent 8 ",
)
_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
_PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
    b" /Resources << /XObject << /Im1 5 0 R >> >> >>"
)


def _inflating_to(gib: float) -> bytes:
    """A Flate stream of zeros that inflates to `gib` GiB, built from one compressed block
    repeated (a full flush makes every 16 MiB of zeros compress to the same bytes)."""
    zeros = bytes(1 << 24)
    c = zlib.compressobj(9)
    first = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    n = int(gib * 64)
    adler = ((n * len(zeros)) % 65521) << 16 | 1
    return first + again * (n - 1) + b"\x03\x00" + struct.pack(">I", adler)


def bad_pdfs(seed_pdf: bytes | None) -> dict[str, tuple[bytes, str]]:
    image_only = _pdf(
        [_CATALOG, _PAGES, _PAGE, _stream(b"q 100 0 0 100 50 50 cm /Im1 Do Q"), _IMAGE]
    )
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (b"11" * 32, b"22" * 32)
    ident = b"<0123456789abcdef0123456789abcdef>"
    encrypted = _pdf(
        [_CATALOG, _PAGES, _PAGE, _stream(b""), _IMAGE, encrypt],
        b"/Encrypt 6 0 R /ID [%s %s] " % (ident, ident),
    )
    looping = _pdf(
        [
            _CATALOG,
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1000000 >>",
        ]
    )
    bomb = _pdf(
        [_CATALOG, _PAGES, _PAGE, _stream(_inflating_to(1.5), b"/Filter /FlateDecode "), _IMAGE]
    )
    cases = {
        "image-only": (image_only, "scanned: run OCR first, e.g. ocrmypdf"),
        "encrypted": (encrypted, "password-protected PDF"),
        "looping page tree": (looping, "damaged PDF"),
        "inflates to gigabytes": (bomb, "memory limit"),
        "not a pdf": (b"%PDF-1.7\n" + b"garbage " * 100 + b"\n%%EOF\n", "damaged PDF"),
    }
    if seed_pdf is not None:
        cases["truncated"] = (seed_pdf[: len(seed_pdf) // 2], "cut short")
    return cases


@pytest.mark.parametrize("case", list(bad_pdfs(None)) + ["truncated"])
def test_bad_pdfs_are_one_line_exit_2_within_bounds(case, tmp_path):
    seed = tmp_path / "seed.pdf"
    seed.write_bytes(_pdf([_CATALOG, _PAGES, _PAGE, _stream(b"BT ET " * 500), _IMAGE]))
    data, expected = bad_pdfs(seed.read_bytes())[case]
    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    start = time.monotonic()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "diffreport", "show", str(path)]
        if Path("/usr/bin/time").exists()
        else [sys.executable, "-m", "diffreport", "show", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.monotonic() - start
    lines = done.stderr.strip().splitlines()
    message = [line for line in lines if line.startswith("diffreport:")]
    assert done.returncode == 2
    assert len(message) == 1 and expected in message[0], done.stderr
    assert "Traceback" not in done.stderr
    assert elapsed < 60
    if lines and lines[-1].isdigit():  # GNU time's peak resident size (KiB), children included
        assert int(lines[-1]) < 1.6 * 1024 * 1024
    with pytest.raises(InputError):
        read_bytes(data, "bad.pdf")


# --- old Word formats through LibreOffice ---------------------------------------------------


@pytest.fixture(scope="session")
def old_formats(tmp_path_factory) -> dict[str, Path]:
    if layouts.soffice() is None:
        pytest.skip("needs LibreOffice (soffice)")
    folder = tmp_path_factory.mktemp("old-formats")
    docx = layouts.office_docx(
        [("title", "测试条例"), ("h1", "第一章 总则"), ("body", "第一条 为了规范管理，制定本条例。"),
         ("body", "第二条 本条例适用于本市。"), ("body", "第三条 本条例自2025年1月1日起施行。")],
        folder / "rules.docx",
    )  # fmt: skip
    out = {}
    for ext, filt in (("doc", "doc:MS Word 97"), ("odt", "odt"), ("rtf", "rtf")):
        subprocess.run(
            [layouts.soffice(), f"-env:UserInstallation=file://{folder}/profile", "--headless",
             "--convert-to", filt, "--outdir", str(folder), str(docx)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        out[ext] = folder / f"rules.{ext}"
    return out


@pytest.mark.parametrize("ext", ["doc", "odt", "rtf"])
def test_old_formats_read_as_docx(old_formats, ext):
    source = read(old_formats[ext])
    texts = [p.text for p in source.paragraphs]
    assert "第一条 为了规范管理，制定本条例。" in texts
    assert "第三条 本条例自2025年1月1日起施行。" in texts
    assert load(old_formats[ext]).genre == "statute"


def test_old_formats_without_libreoffice_say_what_to_do(old_formats, monkeypatch):
    from diffreport.readers import convert

    monkeypatch.setattr(convert, "soffice", lambda: None)
    with pytest.raises(
        InputError, match="install LibreOffice, or open the file and save it as .docx"
    ):
        read(old_formats["doc"])


def _text_pdf(words: str) -> bytes:
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>"
    )
    content = b"BT /F1 12 Tf 72 720 Td (%s) Tj 0 -16 Td (%s) Tj ET" % (
        words.encode(),
        words.encode(),
    )
    return _pdf([_CATALOG, _PAGES, page, _stream(content), font])


def test_a_small_text_pdf_reads():
    texts = [p.text for p in read_bytes(_text_pdf("Hello world again"), "a.pdf").paragraphs]
    assert texts == ["Hello world again Hello world again"]


@pytest.mark.parametrize("seed", range(12))
def test_mutated_pdfs_read_or_refuse_in_one_line(seed):
    """Byte flips, cuts and duplications of a PDF: text or an InputError, nothing else."""
    import random

    rng = random.Random(seed)
    blob = bytearray(_text_pdf("Mutated text for the reader"))
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(blob))
        kind = rng.choice(["flip", "cut", "dup"])
        if kind == "flip":
            blob[at] ^= 1 << rng.randrange(8)
        elif kind == "cut":
            del blob[at : at + rng.randint(1, 40)]
        else:
            blob[at:at] = blob[at : at + rng.randint(1, 120)]
    try:
        read_bytes(bytes(blob), "m.pdf")
    except InputError as exc:
        assert "\n" not in str(exc)
