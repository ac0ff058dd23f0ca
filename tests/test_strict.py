"""Issue 11 items 2–4: strict `unchanged` (and `minor`), front matter kept apart, renumbering
reported with both labels, and the JSON contract checked against its JSON Schema."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURES, LAW, SEEDS, law_pairs
from docx import Document
from rich.console import Console

from diffreport.compare import compare
from diffreport.writers import docx_brief, docx_redline, markdown, text

REVISIONS = LAW / "revisions"
IP_COURT = "最高人民法院关于知识产权法庭若干问题的规定"
POLLUTION = "最高人民法院、最高人民检察院关于办理环境污染刑事案件适用法律若干问题的解释"
SAND = "长江河道采砂管理条例"
SCHEMA = Path(__file__).parents[1] / "docs" / "schema" / "diffreport-1.schema.json"


def _pair(folder: Path, name: str) -> tuple[Path, Path]:
    old, new = sorted(folder.glob(f"{name}.*.md"))
    return old, new


def _terminal(c) -> str:
    console = Console(record=True, width=200, color_system=None)
    text.render(c, console)
    return console.export_text()


# --- strict unchanged, minor ------------------------------------------------------------------

OLD_LAW = """# 示例条例

## 第一章 总则

第一条 本条例适用于本市、县。

第二条 市民政部门负责殡葬管理。

## 第二章 管理

第三条 Applicants shall accompany the form.

第四条 本條例自公布之日起施行。

第五条 经营者应当遵守本条例。
"""

NEW_LAW = """# 示例条例

## 第一章 总 则

第一条 本条例适用于本市，县。

第二条 市民政部门负责殡葬管理。

## 第二章 管理

第三条 Applicants shall Accompany the form.

第四条 本条例自公布之日起施行。

第五条 经营者应当遵守本条例。
"""


def test_punctuation_case_and_script_are_changed_and_minor_at_every_level():
    c = compare(OLD_LAW, NEW_LAW)
    by_text = {}
    for a in c.alignments:
        if a.old and a.new:
            by_text[(a.level, c.old.node(a.old[0]).text)] = a
    for level in ("block", "sentence", "clause"):
        for old_text in ("本条例适用于本市、县。", "Applicants shall accompany", "本條例自公布"):
            (a,) = [a for (lv, t), a in by_text.items() if lv == level and old_text in t]
            assert a.status == "changed" and a.minor, (level, old_text)
            assert any(op != "equal" for op, _ in a.diff), (level, old_text)
        (same,) = [a for (lv, t), a in by_text.items() if lv == level and "殡葬管理" in t]
        assert same.status == "unchanged" and not same.minor
    # A chapter whose heading differs only by a space (`总 则`), but one of whose articles changed in
    # punctuation only, is changed (minor); nothing is `unchanged` that is not.
    (chapter,) = [a for a in c.at("section") if "总则" in c.new.node(a.new[0]).text]
    assert chapter.status == "changed" and chapter.minor
    # The `# 示例条例` title is a heading over the whole text, as in a .md file (no enactment
    # history under it to make it front matter): changed, minor, as its articles are.
    (title,) = [a for a in c.at("section") if c.new.node(a.new[0]).text == "示例条例"]
    assert title.status == "changed" and title.minor
    assert not c.same
    data = c.to_dict()
    minor = [a for a in data["alignments"] if a.get("minor")]
    assert minor and all(a["status"] == "changed" for a in minor)
    assert all("minor" not in a for a in data["alignments"] if a["status"] != "changed")


def test_a_numbering_glyph_is_a_minor_change_not_none():
    old = "一、总体要求\n⒉ 推进城市更新，完成老旧小区改造十个。\n3. 加强社会治理，完善网格化管理。"
    new = "一、总体要求\n2. 推进城市更新，完成老旧小区改造十个。\n3. 加强社会治理，完善网格化管理。"
    c = compare(old, new)
    (a,) = [a for a in c.at("block") if "老旧小区" in c.new.node(a.new[0]).text]
    assert a.status == "changed" and a.minor
    (b,) = [a for a in c.at("block") if "网格化" in c.new.node(a.new[0]).text]
    assert b.status == "unchanged"


def test_width_and_white_space_alone_are_unchanged():
    c = compare("第一条 本市２０２５年起施行（试行）。", "第一条  本市2025年起施行(试行)。")
    assert c.same


def test_minor_changes_are_marked_and_collapsed_in_every_output(tmp_path):
    c = compare(OLD_LAW, NEW_LAW)
    terminal = _terminal(c)
    assert "changed, minor" in terminal
    md = markdown.render(c)
    assert "<details><summary>Minor changes" in md
    assert re.search(r"^- 第一条: .*~~、~~\*\*，\*\*", md, flags=re.M)
    brief = Document(io.BytesIO(docx_brief.render(c, "zh")))
    notes = [p.text for p in brief.paragraphs]
    assert any(t.startswith("细微改动（仅标点、大小写、繁简或编号字形不同）：") for t in notes)
    assert any("仅有标点、大小写、繁简或编号字形的细微改动" in t for t in notes)
    # Comments in the appendix say so too (a redline comment per changed block).
    with zipfile.ZipFile(io.BytesIO(docx_brief.render(c, "zh"))) as z:
        comments = z.read("word/comments.xml").decode("utf-8")
    assert "细微改动（仅标点、大小写、繁简或编号字形不同）" in comments
    assert docx_redline.render(c)  # the redline is still written


# --- front matter ----------------------------------------------------------------------------


def _front_texts(doc) -> list[str]:
    return [n.text for n in doc.nodes if n.role == "front" and n.kind in ("section", "block")]


@pytest.mark.parametrize(
    "folder,name",
    [
        (REVISIONS, SAND),
        (REVISIONS, IP_COURT),
        (REVISIONS, POLLUTION),
        (LAW, "上海市优化营商环境条例"),
    ],
)
def test_front_matter_is_its_own_section_compared_only_with_front_matter(folder, name):
    old, new = _pair(folder, name)
    c = compare(old, new)
    for path, doc in ((old, c.old), (new, c.new)):
        source = path.read_text(encoding="utf-8")
        head = source.split("<!-- INFO END -->")[0]
        # Every line before the marker is front matter (spaces as the reader folds them).
        lines = [re.sub(r"\s+", "", s.lstrip("# ")) for s in head.splitlines() if s.strip()]
        front = [re.sub(r"\s+", "", t) for t in _front_texts(doc)]
        assert front[: len(lines)] == lines
        # ... and nothing of the body is: no article, no chapter.
        for n in doc.nodes:
            if n.role == "front":
                assert not re.match(r"^第[一二三四五六七八九十百]+[条章]", n.text), n.text
        # The front section is one top-level section holding the rest.
        (top,) = [n for n in doc.of_kind("section") if n.role == "front"]
        assert top.parent is None
    # Compared only with the other side's front matter: no alignment mixes the two.
    for a in c.alignments:
        roles = {c.old.node(i).role for i in a.old} | {c.new.node(i).role for i in a.new}
        assert len(roles) == 1, (a.level, a.old, a.new)
    # Nothing is lost: every front node is in exactly one alignment of its level.
    for side, doc in (("old", c.old), ("new", c.new)):
        for level in ("section", "block", "sentence", "clause"):
            ids = [i for a in c.at(level) for i in getattr(a, side)]
            assert sorted(ids) == sorted(n.id for n in doc.of_kind(level))


def test_title_pieces_issuing_number_and_effective_date_are_front_matter():
    # The 2023 interpretation repeats its title over three lines and its number after the
    # history; the 2018 regulation has a `施行` line. None of them is an article or a preamble.
    c = compare(*_pair(REVISIONS, POLLUTION))
    front = _front_texts(c.new)
    assert "法释〔2023〕7号" in front
    assert "若干问题的解释" in front and "2023年8月15日施行" in front
    assert not any(t.startswith("为依法惩治") for t in front)  # the preamble is body
    first_body = next(n for n in c.new.of_kind("block") if n.role != "front")
    assert first_body.text.startswith("为依法惩治")
    sand = compare(*_pair(REVISIONS, SAND))
    assert "2002年1月1日施行" in _front_texts(sand.old)


def test_a_notice_with_issuing_number_and_addressees():
    notice = (
        "天津市津南区人民政府关于印发津南区2024年重点工作安排的通知\n"
        "津南政发〔2024〕1号\n"
        "各镇人民政府，各街道办事处，区政府各委、办、局：\n"
        "现将《津南区2024年重点工作安排》印发给你们，请认真贯彻执行。\n"
        "2024年1月10日\n"
        "（此件公开发布）\n"
        "津南区2024年重点工作安排\n"
        "一、总体要求\n"
        "坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，推动高质量发展。\n"
        "二、重点任务\n"
        "（一）推进产业升级。培育新兴产业集群，新增规上企业二十家。\n"
    )
    c = compare(notice, notice.replace("二十家", "三十家").replace("1号", "2号"))
    front = _front_texts(c.new)
    assert front == [
        "天津市津南区人民政府关于印发津南区2024年重点工作安排的通知",
        "津南政发〔2024〕2号",
        "各镇人民政府，各街道办事处，区政府各委、办、局：",
        "现将《津南区2024年重点工作安排》印发给你们，请认真贯彻执行。",
        "2024年1月10日",
        "（此件公开发布）",
        "津南区2024年重点工作安排",
    ]
    blocks = [n.text for n in c.new.of_kind("block") if n.role != "front"]
    assert blocks[0].startswith("坚持稳中求进")
    # The changed issuing number is the version line; the body counts do not include it.
    md = markdown.render(c)
    assert "## Front matter (版本信息)" in md and "- new: 津南政发〔2024〕2号" in md
    brief = Document(io.BytesIO(docx_brief.render(c, "zh")))
    body = [p.text for p in brief.paragraphs if p.style.name == "Body Text"]
    assert body[0].startswith("版本信息：") and "津南政发〔2024〕2号" in body[0]
    assert "共2个段落（原版2个）" in body[1]


def test_statute_counts_are_articles_not_blocks(tmp_path):
    old, new = _pair(REVISIONS, IP_COURT)
    c = compare(old, new)
    brief = Document(io.BytesIO(docx_brief.render(c, "zh")))
    counts = next(p.text for p in brief.paragraphs if "新版《" in p.text)
    n_old = len(re.findall(r"^第[一二三四五六七八九十]+条", old.read_text(), flags=re.M))
    n_new = len(re.findall(r"^第[一二三四五六七八九十]+条", new.read_text(), flags=re.M))
    assert f"共{n_new}条（原版{n_old}条）" in counts
    assert len(c.new.of_kind("block")) > n_new  # history lines and the preamble are not articles


# --- renumbering -----------------------------------------------------------------------------


def _articles(path: Path) -> dict[str, str]:
    """Article label → text without the label, cut by a regex (not by diffreport)."""
    body = path.read_text(encoding="utf-8").split("<!-- INFO END -->")[-1]
    out: dict[str, str] = {}
    label = None
    for line in body.splitlines():
        m = re.match(r"^(第[一二三四五六七八九十百]+条)\s*(.*)$", line.strip())
        if m:
            label = m[1]
            out[label] = m[2]
        elif label and line.strip() and not line.startswith("#") and line.strip() != "\u200b":
            out[label] += line.strip()
    return {k: re.sub(r"\s+", "", v) for k, v in out.items()}


@pytest.mark.parametrize("folder,name", [(REVISIONS, IP_COURT), (LAW, "上海市优化营商环境条例")])
def test_renumbered_twins_carry_both_labels_in_every_output(folder, name):
    old, new = _pair(folder, name)
    c = compare(old, new)
    olds, news = _articles(old), _articles(new)
    by_text = {v: k for k, v in news.items()}
    twins = {o: by_text[v] for o, v in olds.items() if v in by_text and by_text[v] != o}
    assert twins  # each pair has articles that only changed number
    data = c.to_dict()
    listed = {(r["old_label"], r["new_label"]): r for r in data["renumbered"]}
    for o, n in twins.items():
        r = listed[(o, n)]
        assert r["status"] == "unchanged" and r["level"] == "block"
        assert c.old.node(r["old"]).label == o and c.new.node(r["new"]).label == n
    for r in data["renumbered"]:  # and only what was renumbered
        assert r["old_label"] != r["new_label"]
        (a,) = [a for a in data["alignments"] if a["old"] == [r["old"]] and a["new"] == [r["new"]]]
        assert (a["old_label"], a["new_label"]) == (r["old_label"], r["new_label"])
    # A renumbered article's own numbers are not among its key terms.
    for a in c.renumbered:
        if a.evidence is not None:
            words = a.evidence.added + a.evidence.removed + a.evidence.shared
            assert a.old_label not in words and a.new_label not in words, words
    o, n = next(iter(twins.items()))
    assert f"原{o} → {n}" in _terminal(c)
    assert f"| 原{o} → {n} | unchanged |" in markdown.render(c)
    brief = Document(io.BytesIO(docx_brief.render(c, "zh")))
    paragraphs = [p.text for p in brief.paragraphs]
    assert any(f"未作改动（原{o}，现{n}）" in t for t in paragraphs)
    table = next(t for t in brief.tables if t.rows[0].cells[0].text == "原编号")
    rows = [(r.cells[0].text, r.cells[1].text, r.cells[2].text) for r in table.rows[1:]]
    assert (o, n, "未变") in rows
    assert len(rows) == len([r for r in data["renumbered"] if r["level"] == "block"])


def test_unrenumbered_pairs_carry_no_labels():
    c = compare(LAW / "上海市检验检测条例.old.md", LAW / "上海市检验检测条例.2024-12-31.md")
    for a in c.at("block"):
        if a.old and a.new and len(a.old) == len(a.new) == 1:
            same = c.old.node(a.old[0]).label == c.new.node(a.new[0]).label
            assert (a.old_label is None) == same


# --- JSON Schema -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _schema_pairs():
    english = FIXTURES / "english"
    return [
        (SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"),
        (SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2024-plan.txt"),
        (SEEDS / "nankai-2025-plan.txt", LAW / "上海市检验检测条例.old.md"),
        (
            english / "github-acceptable-use-policies.2021.md",
            english / "github-acceptable-use-policies.2024.md",
        ),
        _pair(REVISIONS, POLLUTION),
        *law_pairs()[:2],
    ]


@pytest.mark.parametrize("old,new", _schema_pairs(), ids=lambda p: p.name)
def test_json_validates_against_the_schema(validator, old, new):
    data = json.loads(compare(old, new).to_json())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors[:5]


def test_schema_rejects_what_breaks_the_contract(validator):
    data = json.loads(compare(OLD_LAW, NEW_LAW).to_json())
    assert validator.is_valid(data)
    broken = json.loads(json.dumps(data))
    unchanged = next(a for a in broken["alignments"] if a["status"] == "unchanged")
    unchanged["minor"] = True  # minor belongs to `changed` only
    assert not validator.is_valid(broken)
    broken = json.loads(json.dumps(data))
    del broken["nodes"]["old"][0]["text"]
    assert not validator.is_valid(broken)
    broken = json.loads(json.dumps(data))
    broken["alignments"][0]["status"] = "renumbered"
    assert not validator.is_valid(broken)
