from __future__ import annotations

import pytest
from conftest import LAW, SEEDS, law_pairs

from diffreport.model import Paragraph, SourceText
from diffreport.parse import parse, split_clauses, split_sentences
from diffreport.readers import read


def _priorities(doc):
    """Titled blocks under numbered task sections."""
    out = {}
    for s in doc.of_kind("section"):
        blocks = [b.title for b in doc.children(s.id, "block") if b.title]
        if s.depth == 2:
            out[s.title] = blocks
    return out


def test_2024_plan_has_five_task_sections_and_sixteen_priorities():
    doc = parse(read(SEEDS / "nankai-2024-plan.txt"))
    assert doc.genre == "plan"
    pri = _priorities(doc)
    assert [len(v) for v in pri.values()] == [4, 3, 3, 3, 3]
    flat = [t for v in pri.values() for t in v]
    # lead sentences that extraction ran into the previous paragraph start their own block
    assert "更大力度提振市场信心" in flat
    assert "减污降碳加速绿色转型" in flat
    # a short closing sentence is not a lead
    assert "全力创建全国文明城区" not in flat
    assert any(s.title == "2024年主要预期指标" for s in doc.of_kind("section"))


def test_2025_plan_has_sixteen_priorities():
    doc = parse(read(SEEDS / "nankai-2025-plan.txt"))
    pri = _priorities(doc)
    assert len(pri) == 5
    assert sum(len(v) for v in pri.values()) == 16
    assert "双提升" in " ".join(pri)  # `双 提升` was an extraction artefact


@pytest.mark.parametrize("old,new", law_pairs(), ids=lambda p: p.name)
def test_statutes_have_chapters_and_articles(old, new):
    for path in (old, new):
        doc = parse(read(path))
        assert doc.genre == "statute"
        articles = [
            b for b in doc.of_kind("block") if b.label.startswith("第") and b.label.endswith("条")
        ]
        assert len(articles) >= 20
        assert articles[0].label == "第一条"


def test_statute_chapter_heading_with_space_is_normalised():
    doc = parse(read(LAW / "上海市优化营商环境条例.2020-04-10.md"))
    chapters = [
        s for s in doc.of_kind("section") if s.label.startswith("第") and s.label.endswith("章")
    ]
    assert chapters[0].title == "总则"
    assert len(chapters) == 8


def test_english_numbered_headings_and_paragraphs():
    text = """TERMS AND CONDITIONS

1. Definitions

In this agreement the Supplier means the company named above. The Buyer means you.

1.1 Interpretation

Headings do not affect interpretation.

2. Delivery

The Supplier shall deliver the goods within 30 days; the Buyer shall accept delivery.
"""
    from diffreport.readers import read_bytes

    doc = parse(read_bytes(text.encode(), "x.txt"))
    sections = doc.of_kind("section")
    assert [s.label for s in sections] == ["", "1.", "1.1", "2."]
    assert sections[2].parent == sections[1].id
    assert len(doc.of_kind("block")) == 3
    assert len(doc.children(doc.of_kind("block")[0].id, "sentence")) == 2


def test_generic_paragraphs_without_structure():
    src = SourceText(
        [Paragraph("First paragraph here."), Paragraph("Second one, longer than the first.")]
    )
    doc = parse(src)
    assert len(doc.of_kind("block")) == 2
    assert doc.of_kind("section") == []


def test_sentences_and_clauses():
    assert split_sentences("推进改革。扩大开放！完成“十四五”目标。") == [
        "推进改革。",
        "扩大开放！",
        "完成“十四五”目标。",
    ]
    s = "实施老旧小区改造，推进既有住宅加装电梯，新建提升口袋公园6个，完善社区养老服务设施。"
    assert len(split_clauses(s)) == 4
    assert split_clauses("推进改革。") == ["推进改革。"]
    # quotes and brackets are never split
    assert (
        len(
            split_clauses(
                "促进“走出去，请进来”双向突破，加快发展更高层次的开放型经济体系建设工作，不断提升对外开放水平。"
            )
        )
        == 3
    )


def test_every_sentence_has_a_clause_and_text_is_conserved():
    doc = parse(read(SEEDS / "nankai-2024-plan.txt"))
    for s in doc.of_kind("sentence"):
        clauses = doc.children(s.id, "clause")
        assert clauses and "".join(c.text for c in clauses) == s.text
    for b in doc.of_kind("block"):
        assert "".join(s.text for s in doc.children(b.id, "sentence")) == b.text.replace("\n", "")


def test_a_title_heading_over_its_enactment_history_is_front_matter_as_in_markdown():
    """The same statute read from Word or PDF (the title a Heading 1, no INFO END marker) and
    from LawRefBook Markdown has the same front matter: the title and its history."""
    body = [
        "第一章 总则",
        "第一条 为了维护国家安全，制定本法。",
        "第二条 本法所称生物安全，是指国家有效防范。",
    ]
    title, history = (
        "中华人民共和国生物安全法",
        "2020年10月17日第十三届全国人民代表大会常务委员会第二十二次会议通过",
    )
    word = [Paragraph(title, heading_level=1), Paragraph(history)]
    word += [Paragraph(body[0], heading_level=2)] + [Paragraph(t) for t in body[1:]]
    marked = [Paragraph(title, heading_level=1, front=True), Paragraph(history, front=True)]
    marked += word[2:]
    docs = [
        parse(SourceText(paragraphs=ps, path=f"{i}.docx")) for i, ps in enumerate((word, marked))
    ]
    fronts = [[n.text for n in d.nodes if n.role == "front" and n.kind != "sentence"] for d in docs]
    assert fronts[0] == fronts[1] == [title, history, history]  # section, block, clause
    assert [n.text for n in docs[0].nodes] == [n.text for n in docs[1].nodes]
    # a title heading over body text (no history) stays the body's heading
    plain = parse(SourceText(paragraphs=[word[0], *word[2:]], path="p.docx"))
    assert not [n for n in plain.nodes if n.role == "front"]


@pytest.mark.parametrize(
    "label",
    [
        "第九百九十九条",
        "第一千条",
        "第一千零一条",
        "第一千〇二条",
        "第两千条",
        "第1000条",
        "第一千二百六十条之一",
    ],
)
def test_articles_numbered_a_thousand_and_more(label):
    firsts = ["第一条", "第二条", "第三条", "第四条", "第五条"]
    lines = ["第一章 总则", *(f"{n} 为了规范管理，制定本法。" for n in firsts)]
    lines.append(f"{label} 本法自公布之日起施行。")
    paragraphs = [Paragraph(line) for line in lines]
    doc = parse(SourceText(paragraphs, "<test>"))
    assert [b.label for b in doc.of_kind("block")] == [*firsts, label]
    assert doc.of_kind("block")[-1].text.endswith("本法自公布之日起施行。")


def _license(name: str):
    import lzma

    from conftest import ROOT

    from diffreport.readers import read_bytes

    path = ROOT / "bench" / "corpus" / f"license.{name}.md.xz"
    return parse(read_bytes(lzma.decompress(path.read_bytes()), f"{name}.md"))


def test_mpl2_definitions_are_paragraphs_not_headings():
    # Real text: 1.5 and 1.10 open a sentence that their (a)/(b) items finish; like the other
    # twelve definitions they are paragraphs of section 1, and 1.6-1.9 are not their children.
    doc = _license("MPL-2.0")
    sections = {s.id: s for s in doc.of_kind("section")}
    definitions = next(s for s in sections.values() if s.text.startswith("1. Definitions"))
    assert not any(s.text.startswith("1.") and s is not definitions for s in sections.values())
    numbered = [b for b in doc.of_kind("block") if b.text[:5].rstrip().startswith("1.")]
    assert [b.text.split()[0] for b in numbered] == [f"1.{n}." for n in range(1, 15)]
    assert {b.parent for b in numbered} == {definitions.id}
    assert numbered[4].text.endswith('"Incompatible With Secondary Licenses" means')
    # Where the level is headings (2.1 Grants, 2.2 Effective Date …) they stay headings.
    assert [s.text.split()[0] for s in sections.values() if s.text.startswith("2.")] == [
        "2.",
        *(f"2.{n}." for n in range(1, 8)),
    ]


def test_gpl3_numbered_sections_play_one_role():
    # `17. Interpretation of Sections 15 and 16.` is as much a titled paragraph as
    # `16. Limitation of Liability.`: not a heading over the rest of the terms.
    doc = _license("GPL-3")
    assert not any(s.label[:1].isdigit() for s in doc.of_kind("section"))
    labels = [b.label for b in doc.of_kind("block") if b.label]
    assert [label for label in labels if label.endswith(".")][-18:] == [f"{n}." for n in range(18)]


def test_a_numbered_markdown_heading_has_its_number_as_label(tmp_path):
    """`## 6. Services Usage Limits` (was `### 4. Services Usage Limits`): numbered like a
    numbered line, so the section is unchanged and renumbered, not changed."""
    from diffreport.compare import compare

    body = "Scraping is limited to what the API allows.\n"
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(f"# Policies\n\n### 4. Services Usage Limits\n\n{body}", encoding="utf-8")
    new.write_text(f"# Policies\n\n## 6. Services Usage Limits\n\n{body}", encoding="utf-8")
    c = compare(old, new)
    sec = next(a for a in c.at("section") if a.old_label or a.new_label)
    assert (sec.old_label, sec.new_label, sec.status) == ("4.", "6.", "unchanged")


def test_a_documents_part_answers_as_a_document_of_its_own_nodes():
    # Document.part narrows the whole document's indices instead of building its own: the
    # body and the front matter must answer exactly as documents made from their nodes.
    from diffreport.compare import load
    from diffreport.model import LEVELS, Document

    checked = 0
    for path in {p for pair in law_pairs()[:8] for p in pair}:
        doc = load(path)
        for front in (True, False):
            part = doc.part(front=front)
            fresh = Document(nodes=list(part.nodes), title=doc.title, genre=doc.genre)
            for kind in LEVELS:
                assert part.of_kind(kind) == fresh.of_kind(kind)
            for parent in [None, *(n.id for n in part.nodes)]:
                assert part.children(parent) == fresh.children(parent)
            assert all(part.node(n.id) is n for n in part.nodes)
            checked += bool(part.nodes) and len(part.nodes) < len(doc.nodes)
    assert checked >= 8  # parts that are neither empty nor the whole document


def test_a_part_holds_the_nodes_of_its_role_wherever_they_stand():
    # Document.part cuts the front matter off the nodes where it comes first (as parse puts
    # it) and filters them otherwise: either way, the nodes of the role asked for, in order.
    from diffreport.compare import load
    from diffreport.model import Document

    doc = load(law_pairs()[0][0])
    front = [n for n in doc.nodes if n.role == "front"]
    assert front and doc.nodes[: len(front)] == front  # (the cut)
    body = doc.nodes[len(front) :]
    orders = [doc.nodes, body + front, body[:3] + front + body[3:], front[:1] + body + front[1:]]
    for nodes in orders:
        mixed = Document(nodes=list(nodes), title=doc.title, genre=doc.genre)
        for role in (True, False):
            wanted = [n for n in nodes if (n.role == "front") == role]
            assert mixed.part(front=role).nodes == wanted
