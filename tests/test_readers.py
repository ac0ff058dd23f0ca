from __future__ import annotations

import io

import pytest
from conftest import SEEDS

from diffreport.errors import InputError
from diffreport.normalise import clean_text, match_key
from diffreport.readers import read, read_bytes

SAMPLE = "一、总体要求\n推动高质量发展。投资落 地，实现“十四五 ”目标，京东 MALL开业。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_text_in_any_common_encoding(encoding):
    src = read_bytes(SAMPLE.encode(encoding), "a.txt")
    assert src.paragraphs[0].text == "一、总体要求"
    assert "投资落地" in src.paragraphs[1].text


def test_crlf_and_control_characters():
    src = read_bytes("第一段\r\n\r\n第二段\x0c第三段\x07。\r\n".encode(), "a.txt")
    assert [p.text for p in src.paragraphs] == ["第一段", "第二段", "第三段。"]


def test_cleaning_extraction_artefacts():
    assert clean_text("[bookmark: _GoBack]2025年是 “十四五 ”规划") == "2025年是“十四五”规划"
    assert clean_text("推进市场活力和营商环境双 提升") == "推进市场活力和营商环境双提升"
    assert clean_text("吸引京东 MALL、贝壳") == "吸引京东 MALL、贝壳"
    assert clean_text("ＡＢＣ１２３％") == "ABC123%"
    assert clean_text("new   energy  vehicles") == "new energy vehicles"


def test_match_key_folds_traditional_and_spacing():
    assert match_key("總 則") == match_key("总则")


def test_seed_has_no_bookmark_artefact():
    src = read(SEEDS / "nankai-2025-plan.txt")
    assert not any("bookmark" in p.text for p in src.paragraphs)


def test_markdown_headings():
    src = read_bytes("# 标题\n\n<!-- x -->\n\n## 第一章  总 则\n\n第一条 内容。\n".encode(), "a.md")
    assert [(p.text, p.heading_level) for p in src.paragraphs] == [
        ("标题", 1),
        ("第一章 总则", 2),
        ("第一条 内容。", None),
    ]


def test_html_reader():
    html = "<html><head><style>p{}</style></head><body><h1>Plan</h1><p>First &amp; <b>bold</b>.</p><ul><li>Item</li></ul></body></html>"
    src = read_bytes(html.encode(), "a.html")
    assert [(p.text, p.heading_level) for p in src.paragraphs] == [
        ("Plan", 1),
        ("First & bold.", None),  # inline markup joins as a browser shows it
        ("Item", None),
    ]


def test_html_reader_loses_no_text():
    """Text beside a nested block is a paragraph of its own (a reader that only took blocks
    without blocks inside them dropped `Loose`, `tail`, `Item` and `more`)."""
    html = (
        "<html><body><div>Loose <p>para</p> tail</div><ul><li>Item<ul><li>sub</li></ul>more</li>"
        "</ul><h2>标题<span>二</span></h2>第一条 内容。<br>第二条 内容。</body></html>"
    )
    src = read_bytes(html.encode(), "a.html")
    assert [(p.text, p.heading_level) for p in src.paragraphs] == [
        ("Loose", None),
        ("para", None),
        ("tail", None),
        ("Item", None),
        ("sub", None),
        ("more", None),
        ("标题二", 2),
        ("第一条 内容。", None),  # loose text in the page: one paragraph a line
        ("第二条 内容。", None),
    ]


def test_docx_reader_headings_and_numbering(tmp_path):
    from docx import Document

    d = Document()
    d.add_heading("总体要求", level=1)
    d.add_paragraph("第一条 内容。")
    d.add_paragraph("Item one", style="List Number")
    buf = io.BytesIO()
    d.save(buf)
    src = read_bytes(buf.getvalue(), "a.docx")
    assert src.format == "docx"
    assert src.paragraphs[0].heading_level == 1
    assert src.paragraphs[1].text == "第一条 内容。"
    assert src.paragraphs[2].numbering == "1."


@pytest.mark.parametrize(
    "data,name",
    [
        (b"", "a.txt"),
        (b"   \n", "a.txt"),
        (b"\x00\x01\x02\x03binary\x00\x00", "a.txt"),
        (b"PK\x03\x04broken", "a.docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.docx"),
    ],
)
def test_bad_input_is_an_input_error(data, name):
    with pytest.raises(InputError):
        read_bytes(data, name)


def test_missing_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="directory"):
        read(tmp_path)


def test_titles_broken_over_lines_are_rejoined_but_not_run_into_the_salutation():
    from diffreport.normalise import split_paragraphs

    text = (
        "南开区人民政府办公室关于\n\n印发南开区政府工作报告的通知\n\n各委、局、办，各街、公司：\n"
    )
    assert split_paragraphs(text) == [
        "南开区人民政府办公室关于印发南开区政府工作报告的通知",
        "各委、局、办，各街、公司：",
    ]
    # a long line broken in mid-word by a converter, with blank lines in between
    long = "民生是南开区高质量发展的出发点和落脚点。在养老服务方面，南开区入选了全国居"
    assert split_paragraphs(long + "\n\n家和社区养老服务提升行动试点。") == [
        long + "家和社区养老服务提升行动试点。"
    ]


SETEXT = (
    "Mozilla Public License Version 2.0\n==================================\n\n"
    "1. Definitions\n--------------\n\n"
    '1.1. "Contributor" means each individual or legal entity that creates, contributes to the\n'
    "creation of, or owns Covered Software.\n\n"
    "2. License Grants and Conditions\n--------------------------------\n\n"
    "Each Contributor hereby grants You a world-wide, royalty-free, non-exclusive license\n"
    "under intellectual property rights.\n"
)


@pytest.mark.parametrize("name", ["a.md", "a.txt"])
@pytest.mark.parametrize("wrapped", [True, False])
def test_setext_underlines_make_headings_not_text(name, wrapped):
    text = (
        SETEXT
        if wrapped
        else SETEXT.replace("the\ncreation", "the creation").replace(
            "license\nunder", "license under"
        )
    )
    src = read_bytes(text.encode(), name)
    got = [(p.text, p.heading_level) for p in src.paragraphs]
    assert got[:2] == [("Mozilla Public License Version 2.0", 1), ("1. Definitions", 2)]
    assert ("2. License Grants and Conditions", 2) in got
    assert not any(set(t) <= set("=- ") for t, _ in got)
    assert not any("===" in t or "---" in t for t, _ in got)


@pytest.mark.parametrize("name", ["a.md", "a.txt"])
def test_a_rule_after_a_blank_line_makes_no_heading(name):
    text = "We resolve disputes in favour of users\n\n---\n\nEnforcement. GitHub may act.\n"
    src = read_bytes(text.encode(), name)
    assert all(p.heading_level is None for p in src.paragraphs)
    # and the rule itself is no paragraph: a thematic break has no text to compare
    assert [p.text for p in src.paragraphs] == [
        "We resolve disputes in favour of users",
        "Enforcement. GitHub may act.",
    ]


def test_only_the_first_info_end_marker_closes_the_front_matter(tmp_path):
    """LawRefBook closes a law's title and history with `<!-- INFO END -->`; a file joining
    two such laws has two markers, and the second law's head is body, like its articles."""
    law = "# {0}\n\n2020年1月1日通过\n\n<!-- INFO END -->\n\n第一条 {0}的第一条。\n\n第二条 第二条。\n"
    path = tmp_path / "joined.md"
    path.write_text(law.format("甲条例") + "\n" + law.format("乙条例"), encoding="utf-8")
    paragraphs = read(path).paragraphs
    assert [p.text for p in paragraphs if p.front] == ["甲条例", "2020年1月1日通过"]
    assert [p.text for p in paragraphs if not p.front][2:4] == ["乙条例", "2020年1月1日通过"]
    assert not any("INFO END" in p.text for p in paragraphs)


@pytest.mark.parametrize("name", ["a.md", "a.txt"])
def test_an_underline_joined_to_its_title_still_makes_a_heading(name):
    """A tool that unwrapped MPL-2.0's lines joined each setext underline to its title:
    `1. Definitions --------------` is still the heading `1. Definitions`; a short dash run
    ending a sentence is text."""
    text = (
        "Mozilla Public License Version 2.0 ==================================\n\n"
        "1. Definitions --------------\n\n"
        '1.1. "Contributor" means each individual or legal entity.\n\n'
        "And then it was over ---\n"
    )
    got = [(p.text, p.heading_level) for p in read_bytes(text.encode(), name).paragraphs]
    assert got[:2] == [("Mozilla Public License Version 2.0", 1), ("1. Definitions", 2)]
    assert ("And then it was over ---", None) in got
