"""Invariants of the comparison, over generated documents and over the real ones.

* conservation: every node of each side is in exactly one alignment of its level;
* identity: a document against itself is all `unchanged`;
* symmetry: swapping the inputs swaps new/dropped and split/merged and keeps the pairs;
* round trip: the redline's Accept All reads back as the new text, Reject All as the old;
* determinism: the same inputs give byte-identical JSON, also across processes.

Generated documents have the structures the parser knows (Chinese plans with `一、` and lead
sentences, statutes with chapters and articles, English numbered headings) and are edited by
inserting, deleting, rewording, moving, splitting and merging paragraphs and sections.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import LAW, ROOT, SEEDS, law_pairs, pandoc_text
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from diffreport.compare import compare
from diffreport.model import LEVELS, Paragraph, SourceText
from diffreport.normalise import clean_text
from diffreport.readers import read, read_bytes
from diffreport.result import Comparison

# DIFFREPORT_FUZZ_SCALE=50 runs 50 times the examples (a longer session, outside CI).
SCALE = int(os.environ.get("DIFFREPORT_FUZZ_SCALE", "1"))


def examples(n: int) -> settings:
    return settings(
        max_examples=n * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


REAL_PAIRS = [(SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt"), *law_pairs()]
REAL_FILES = sorted(SEEDS.glob("*.txt")) + sorted(LAW.glob("*.md"))

# --- the invariants -----------------------------------------------------------------------

_SHAPE = {
    "unchanged": lambda o, n: o == 1 and n == 1,
    "changed": lambda o, n: o == 1 and n == 1,
    "new": lambda o, n: o == 0 and n == 1,
    "dropped": lambda o, n: o == 1 and n == 0,
    "split": lambda o, n: o == 1 and n >= 2,
    "merged": lambda o, n: o >= 2 and n == 1,
}
_SWAP = {"new": "dropped", "dropped": "new", "split": "merged", "merged": "split"}


def check_conservation(c: Comparison) -> None:
    assert {a.level for a in c.alignments} <= set(LEVELS)
    for a in c.alignments:
        assert _SHAPE[a.status](len(a.old), len(a.new)), a
    for level in LEVELS:
        at = c.at(level)
        for side, doc in (("old", c.old), ("new", c.new)):
            seen = Counter(i for a in at for i in getattr(a, side))
            want = Counter(n.id for n in doc.of_kind(level))
            assert seen == want, (level, side, seen - want, want - seen)


def check_identity(c: Comparison) -> None:
    assert c.same
    assert all(a.status == "unchanged" and a.old and a.new for a in c.alignments)


def pairs_of(c: Comparison, swap: bool = False) -> set:
    out = set()
    for a in c.alignments:
        old, new, status = frozenset(a.old), frozenset(a.new), a.status
        if swap:
            old, new, status = new, old, _SWAP.get(status, status)
        out.add((a.level, old, new, status, a.moved))
    return out


def check_symmetry(ab: Comparison, ba: Comparison) -> None:
    forward, backward = pairs_of(ab), pairs_of(ba, swap=True)
    assert forward == backward, (
        sorted(forward - backward, key=str)[:5],
        sorted(backward - forward, key=str)[:5],
    )


# --- accepting and rejecting a redline, as Word does --------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def resolve_tracked_changes(docx: bytes, accept: bool) -> bytes:
    """Accept All or Reject All on a .docx: drop one side's runs (w:ins/w:moveTo or
    w:del/w:moveFrom), keep the other's text, and join a paragraph to the next where its
    mark was inserted (on reject) or deleted (on accept)."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    root = etree.fromstring(parts["word/document.xml"])
    drop = {f"{W}ins", f"{W}moveTo"} if not accept else {f"{W}del", f"{W}moveFrom"}
    keep = {f"{W}del", f"{W}moveFrom"} if not accept else {f"{W}ins", f"{W}moveTo"}
    paragraphs = list(root.iter(f"{W}p"))
    for p in paragraphs:
        rpr = p.find(f"{W}pPr/{W}rPr")
        mark_changes = list(rpr) if rpr is not None else []
        joined = any(el.tag in drop for el in mark_changes)
        for el in mark_changes:
            if el.tag in drop | keep:
                rpr.remove(el)
        for el in list(p.iter()):
            if el.tag in drop and el.getparent() is not None:
                el.getparent().remove(el)
        for el in list(p.iter()):
            if el.tag in keep:
                parent = el.getparent()
                i = parent.index(el)
                for child in reversed(list(el)):
                    parent.insert(i, child)
                parent.remove(el)
            elif el.tag == f"{W}delText":
                el.tag = f"{W}t"
        p.set("joined", "1" if joined else "0")
    # Join marked paragraphs into the following one, keeping the following one's properties.
    carry: list = []
    for p in paragraphs:
        runs = [el for el in p if el.tag != f"{W}pPr"]
        if p.get("joined") == "1":
            carry.extend(runs)
            p.getparent().remove(p)
            continue
        ppr = p.find(f"{W}pPr")
        at = 1 if ppr is not None else 0
        for el in reversed(carry):
            p.insert(at, el)
        carry = []
        del p.attrib["joined"]
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def check_round_trip(c: Comparison) -> None:
    from diffreport.writers.docx_redline import render

    docx = render(c)
    for accept, doc in ((True, c.new), (False, c.old)):
        resolved = resolve_tracked_changes(docx, accept)
        got = [p.text for p in read_bytes(resolved, "redline.docx").paragraphs]
        want = [line for line in doc.plain_text().split("\n") if line]
        assert got == want, ("accept" if accept else "reject", _first_difference(got, want))


def _first_difference(got: list[str], want: list[str]):
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        if g != w:
            return i, g, w
    return len(got), len(want)


def as_read(lines: list[str], path: str) -> SourceText:
    """Lines as a reader would pass them on: cleaned, blank ones dropped."""
    return SourceText([Paragraph(t) for t in map(clean_text, lines) if t], path=path)


# --- generated documents ------------------------------------------------------------------

ZH_WORDS = (
    "推进 科技 创新 产业 发展 城市 更新 营商 环境 民生 保障 教育 医疗 绿色 低碳 消费 投资 改革 "
    "开放 安全 治理 文化 旅游 服务 企业 项目 人才 数字 经济 社区 养老 就业 生态 交通 设施 质量 "
    "效率 品牌 平台 园区 街道 载体 楼宇 招商 协同 融合 韧性 智慧 医药 健康"
).split()
EN_WORDS = (
    "district council will improve services invest digital economy green energy housing "
    "schools transport safety culture tourism health jobs parks water roads market trade"
).split()
CN_NUM = "一二三四五六七八九十"


def _cn(n: int) -> str:
    return CN_NUM[n - 1] if n <= 10 else "十" + CN_NUM[n - 11]


@dataclass
class Doc:
    genre: str  # plan | statute | english
    sections: list[tuple[str, list[list[str]]]] = field(default_factory=list)

    def text(self) -> str:
        lines: list[str] = []
        article = 0
        for i, (title, paragraphs) in enumerate(self.sections, 1):
            if self.genre == "plan":
                lines.append(f"{_cn(i)}、{title}")
            elif self.genre == "statute":
                lines.append(f"第{_cn(i)}章 {title}")
            else:
                lines.append(f"{i}. {title}")
            for sentences in paragraphs:
                body = (" " if self.genre == "english" else "").join(sentences)
                if self.genre == "statute":
                    article += 1
                    body = f"第{_cn(article)}条 {body}"
                lines.append(body)
        return "\n".join(lines) + "\n"

    def source(self) -> SourceText:
        return as_read(self.text().split("\n"), "<gen>")


@st.composite
def zh_sentence(draw, lead: bool = False) -> str:
    if lead:
        return "".join(draw(st.lists(st.sampled_from(ZH_WORDS), min_size=2, max_size=4))) + "。"
    clauses = draw(
        st.lists(
            st.lists(st.sampled_from(ZH_WORDS), min_size=3, max_size=7).map("".join),
            min_size=1,
            max_size=4,
        )
    )
    sep = draw(st.sampled_from(["，", "；"]))
    return sep.join(clauses) + "。"


@st.composite
def en_sentence(draw) -> str:
    words = draw(st.lists(st.sampled_from(EN_WORDS), min_size=3, max_size=10))
    return " ".join(words).capitalize() + "."


def sentence(genre: str):
    return en_sentence() if genre == "english" else zh_sentence()


@st.composite
def paragraph(draw, genre: str) -> list[str]:
    body = draw(st.lists(sentence(genre), min_size=1, max_size=3))
    if genre == "plan" and draw(st.booleans()):
        body = [draw(zh_sentence(lead=True)), *body]
    return body


@st.composite
def title(draw, genre: str) -> str:
    words = EN_WORDS if genre == "english" else ZH_WORDS
    joiner = " " if genre == "english" else ""
    text = joiner.join(draw(st.lists(st.sampled_from(words), min_size=2, max_size=4)))
    return text.capitalize() if genre == "english" else text


@st.composite
def documents(draw, genre: str | None = None) -> Doc:
    genre = genre or draw(st.sampled_from(["plan", "statute", "english"]))
    sections = draw(
        st.lists(
            st.tuples(title(genre), st.lists(paragraph(genre), min_size=1, max_size=4)),
            min_size=1,
            max_size=4,
        )
    )
    return Doc(genre, sections)


EDITS = ["insert", "delete", "reword", "move", "split", "merge", "add-section", "drop-section"]


@st.composite
def edited(draw, doc: Doc) -> Doc:
    """A new version of ``doc``: one to four edits of the kinds a drafter makes."""
    secs = [(t, [list(p) for p in ps]) for t, ps in doc.sections]
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(st.sampled_from(EDITS))
        s = draw(st.integers(0, len(secs) - 1))
        paras = secs[s][1]
        if edit == "insert":
            paras.insert(draw(st.integers(0, len(paras))), draw(paragraph(doc.genre)))
        elif edit == "delete" and len(paras) > 1:
            paras.pop(draw(st.integers(0, len(paras) - 1)))
        elif edit == "reword" and paras:
            p = paras[draw(st.integers(0, len(paras) - 1))]
            k = draw(st.integers(0, len(p) - 1))
            if draw(st.booleans()):
                p[k] = draw(sentence(doc.genre))
            else:  # one word changed
                words = EN_WORDS if doc.genre == "english" else ZH_WORDS
                old = next((w for w in words if w in p[k]), None)
                if old:
                    p[k] = p[k].replace(old, draw(st.sampled_from(words)), 1)
        elif edit == "move" and paras:
            moved = paras.pop(draw(st.integers(0, len(paras) - 1)))
            to = secs[draw(st.integers(0, len(secs) - 1))][1]
            to.insert(draw(st.integers(0, len(to))), moved)
            if not paras:
                paras.append(draw(paragraph(doc.genre)))
        elif edit == "split" and paras:
            i = draw(st.integers(0, len(paras) - 1))
            if len(paras[i]) > 1:
                cut = draw(st.integers(1, len(paras[i]) - 1))
                paras[i : i + 1] = [paras[i][:cut], paras[i][cut:]]
        elif edit == "merge" and len(paras) > 1:
            i = draw(st.integers(0, len(paras) - 2))
            paras[i : i + 2] = [paras[i] + paras[i + 1]]
        elif edit == "add-section":
            at = draw(st.integers(0, len(secs)))
            secs.insert(at, (draw(title(doc.genre)), [draw(paragraph(doc.genre))]))
        elif edit == "drop-section" and len(secs) > 1:
            secs.pop(s)
    return Doc(doc.genre, secs)


@st.composite
def document_pairs(draw) -> tuple[Doc, Doc]:
    old = draw(documents())
    return old, draw(edited(old))


# --- properties over generated documents --------------------------------------------------


# Chapters titled apart on each side, with the same section ids (`s1`, `s2`) in both
# documents: the chapters related to each other must not depend on which side is old.
_CHAPTER_IDS_COINCIDE = (
    Doc(
        "statute",
        [
            (
                "智慧智慧设施",
                [
                    ["楼宇街道就业消费开放，协同协同品牌改革医疗养老绿色，楼宇绿色治理推进。"],
                    ["品牌推进教育健康项目园区，健康服务生态医药推进。"],
                    ["数字社区经济推进品牌生态，人才平台推进推进。", "推进推进推进推进推进。"],
                    [
                        "推进推进推进，推进推进推进推进推进，推进推进推进。",
                        "低碳推进推进推进推进推进招商。",
                    ],
                ],
            ),
            ("推进推进消费推进", [["推进推进推进推进推进经济社区。"]]),
            (
                "推进推进",
                [
                    ["推进推进推进推进推进，推进推进推进，推进推进推进推进推进推进推进。"],
                    [
                        "推进推进推进推进推进推进，推进推进推进推进推进推进，推进推进推进推进推进推进推进。"
                    ],
                ],
            ),
        ],
    ),
    Doc(
        "statute",
        [
            ("推进推进消费推进", [["推进推进推进，推进推进推进，推进推进推进推进。"]]),
            (
                "推进推进",
                [
                    ["智慧推进推进推进推进，推进推进推进，推进推进推进推进推进推进推进。"],
                    [
                        "推进推进推进推进推进推进，推进推进推进推进推进推进，推进推进推进推进推进推进推进。"
                    ],
                ],
            ),
        ],
    ),
)


@examples(40)
@given(document_pairs())
@example(_CHAPTER_IDS_COINCIDE)
def test_generated_conservation_symmetry_identity(pair):
    old, new = pair
    ab = compare(old.source(), new.source())
    ba = compare(new.source(), old.source())
    check_conservation(ab)
    check_conservation(ba)
    check_symmetry(ab, ba)
    check_identity(compare(old.source(), old.source()))
    assert compare(old.source(), new.source()).to_json() == ab.to_json()


@examples(25)
@given(document_pairs())
def test_generated_redline_round_trip(pair):
    old, new = pair
    check_round_trip(compare(old.source(), new.source()))


# --- properties over the real documents ---------------------------------------------------


@pytest.fixture(scope="module")
def real_comparisons() -> dict:
    return {(a, b): (compare(a, b), compare(b, a)) for a, b in REAL_PAIRS}


@pytest.mark.parametrize("pair", REAL_PAIRS, ids=lambda p: p[0].name)
def test_real_conservation_and_symmetry(real_comparisons, pair):
    ab, ba = real_comparisons[pair]
    check_conservation(ab)
    check_conservation(ba)
    check_symmetry(ab, ba)


@pytest.mark.parametrize("pair", REAL_PAIRS, ids=lambda p: p[0].name)
def test_real_redline_round_trip(real_comparisons, pair):
    check_round_trip(real_comparisons[pair][0])


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed")
@pytest.mark.parametrize("pair", REAL_PAIRS[:3], ids=lambda p: p[0].name)
def test_real_redline_round_trip_with_pandoc(real_comparisons, pair, tmp_path):
    """Word's Accept All / Reject All as pandoc reads them (`--track-changes`)."""
    from diffreport.writers.docx_redline import render

    c = real_comparisons[pair][0]
    docx = tmp_path / "redline.docx"
    docx.write_bytes(render(c))
    for mode, doc in (("accept", c.new), ("reject", c.old)):
        out = pandoc_text(docx, mode)
        # pandoc keeps the space a line break inside an article stands for; clean_text drops
        # it between Chinese characters, as the project's reader does
        got = [clean_text(line) for line in out.split("\n") if line.strip()]
        assert got == doc.plain_text().split("\n"), mode


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_identity(path):
    c = compare(path, path)
    check_conservation(c)
    check_identity(c)


_REAL_FOR_EDITS = [read(SEEDS / "nankai-2024-plan.txt"), read(LAW / "上海市殡葬管理条例.old.md")]


@st.composite
def real_edits(draw) -> tuple[SourceText, SourceText]:
    """A real document and a version of it with paragraphs deleted, moved, split, merged or
    reworded (one character changed)."""
    src = draw(st.sampled_from(_REAL_FOR_EDITS))
    paras = [p.text for p in src.paragraphs]
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(paras) - 1))
        edit = draw(st.sampled_from(["delete", "move", "split", "merge", "reword", "insert"]))
        if edit == "delete" and len(paras) > 2:
            paras.pop(i)
        elif edit == "move":
            paras.insert(draw(st.integers(0, len(paras) - 1)), paras.pop(i))
        elif edit == "split" and "。" in paras[i][:-1]:
            cut = paras[i].index("。") + 1
            paras[i : i + 1] = [paras[i][:cut], paras[i][cut:]]
        elif edit == "merge" and i + 1 < len(paras):
            paras[i : i + 2] = [paras[i] + paras[i + 1]]
        elif edit == "reword" and len(paras[i]) > 2:
            k = draw(st.integers(0, len(paras[i]) - 1))
            paras[i] = paras[i][:k] + draw(st.sampled_from(ZH_WORDS)) + paras[i][k + 1 :]
        elif edit == "insert":
            paras.insert(i, draw(zh_sentence()))
    return src, as_read(paras, "<edited>")


@examples(12)
@given(real_edits())
def test_real_documents_edited(pair):
    old, new = pair
    ab, ba = compare(old, new), compare(new, old)
    check_conservation(ab)
    check_symmetry(ab, ba)
    check_round_trip(ab)


# --- determinism across processes ---------------------------------------------------------


def test_json_is_byte_identical_across_processes():
    old, new = REAL_PAIRS[0]

    def run(seed: str) -> bytes:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run(
            [sys.executable, "-m", "diffreport", "diff", str(old), str(new), "--format", "json"],
            capture_output=True,
            cwd=ROOT,
            env=env,
        )
        assert r.returncode == 1, r.stderr
        return r.stdout

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(run, ["1", "4242"])
    assert first == second
    assert first.decode().strip() == compare(old, new).to_json().strip()


# --- split_paragraphs: lines looked at further only where the line before ends in Chinese ---

_CN = "一二三四五六七八九十百千零〇两"
_REF_HEADING_START = re.compile(
    rf"^(?:#|第[{_CN}\d]+[章节条编部分]|[{_CN}]+、|（[{_CN}\d]+）|\(\d+\)|\d+[.．、])"
)
_REF_TITLE_END = re.compile(
    r"(通知|通告|公告|报告|计划|规划|纲要|意见|方案|办法|条例|规定|决定|会议上)$"
)
_REF_OPEN_END = re.compile(rf"(关于|的|和|与|及|在|对|为|第[{_CN}\d]+届)$")
_REF_TERMINAL_END = re.compile(r"[。！？；：:!?;，,）)]$")


def _joined_lines_as_before(lines: list[str]) -> list[str]:
    """split_paragraphs' joining of cleaned lines as it was written before its shortcut
    (every line pair tried by both rules in full): the general path, its twin."""

    def han(ch: str) -> bool:
        return "\u4e00" <= ch <= "\u9fff"

    def looks_like_heading(line: str) -> bool:
        return bool(_REF_HEADING_START.match(line)) or (len(line) < 40 and " " in line)

    def broken_title(prev: str, line: str) -> bool:
        if (
            len(prev) > 40
            or len(line) > 40
            or _REF_HEADING_START.match(line)
            or _REF_HEADING_START.match(prev)
        ):
            return False
        if _REF_TERMINAL_END.search(prev) or not han(prev[-1]):
            return False
        return bool(
            _REF_OPEN_END.search(prev)
            or (_REF_TITLE_END.search(line) and not _REF_TITLE_END.search(prev))
        )

    paragraphs: list[str] = []
    for line in lines:
        if paragraphs:
            prev = paragraphs[-1]
            broken = (
                len(prev) >= 30
                and han(prev[-1])
                and han(line[0])
                and not _REF_HEADING_START.match(line)
                and not looks_like_heading(prev)
            )
            if (
                broken or (len(prev) <= 40 >= len(line) and broken_title(prev, line))
            ) and not _REF_TITLE_END.search(prev):
                paragraphs[-1] = prev + line
                continue
        paragraphs.append(line)
    return paragraphs


_LINE_PIECES = st.sampled_from(
    ["南开区", "人民政府", "关于", "印发", "的通知", "计划", "第三届", "发展", "。", "，", "：", "）",
     "第一章", "一、", "（二）", "3.", "#", "Plan", " ", "2025", "区"]
)  # fmt: skip


@examples(300)
@given(st.lists(st.lists(_LINE_PIECES, min_size=1, max_size=14).map("".join), max_size=12))
def test_split_paragraphs_joins_lines_as_trying_every_pair_in_full(lines):
    from diffreport.normalise import split_paragraphs

    text = "\n\n".join(lines)
    cleaned = [s for line in clean_text(text).split("\n") if (s := line.strip())]
    assert split_paragraphs(text) == _joined_lines_as_before(cleaned)


# --- to_simplified: character by character where no phrase of t2s can match ---------------


def _t2s_pieces() -> list[str]:
    """Pieces of traditional text: t2s's phrases whole and cut, characters of its character
    table (every tenth), opencc's separators, simplified and Latin text."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    phrases = [
        line.split("\t")[0]
        for line in (folder / "TSPhrases.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    characters = [
        line.split("\t")[0]
        for line in (folder / "TSCharacters.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [
        *phrases[::7],
        *(p[:2] for p in phrases[3::11]),
        *(p[1:] for p in phrases[5::13]),
        *characters[::10],
        *"，。、 -.,?！（）「」",
        "发展",
        "plan",
        "2025",
    ]


_T2S_PIECES = st.sampled_from(_t2s_pieces())


@examples(400)
@given(st.lists(_T2S_PIECES, max_size=16).map("".join))
def test_to_simplified_is_opencc_t2s(text):
    import opencc

    from diffreport.normalise import to_simplified

    assert to_simplified(text) == opencc.OpenCC("t2s").convert(text)
