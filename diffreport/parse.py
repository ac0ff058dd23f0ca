"""Structure parsers: paragraphs → a :class:`Document` tree of sections, blocks, sentences, clauses.

The genre is chosen by what the text looks like:

* ``statute`` — `第一章` chapters and `第一条` articles; an article is one block that keeps its
  following paragraphs and `（一）` items;
* ``plan`` — Chinese plans and reports: `一、` / `（一）` / `1.` / `（1）` headings; every paragraph
  is a block, titled by its lead sentence (`抢抓协同发展重大机遇。`), and a lead sentence that
  extraction ran into the previous paragraph starts a block of its own;
* ``generic`` — Markdown or Word headings, English numbered headings (`1.`, `1.1`, `Section 3`,
  `TERMS AND CONDITIONS`), otherwise paragraphs as blocks.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass

from .errors import InputError, SettingsError
from .model import Document, Kind, Node, Paragraph, SourceText
from .normalise import CN_NUMERALS

# Paragraphs or blocks a document may have. Comparing 100,000 short lines with an edited copy
# took 17 s of CPU and 1.07 GB; 50,000 took 8 s and 620 MB. The Civil Code has 1,260 articles
# and a long plan a few thousand blocks, so more means a generated or hostile input.
MAX_UNITS = 50_000

_CN_NUM = CN_NUMERALS

# (pattern key, regex with groups label/title). Order matters: the first match wins.
_HEADING_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(rf"^(?P<label>第[{_CN_NUM}\d]+编)\s*(?P<title>.*)$")),
    ("chapter", re.compile(rf"^(?P<label>第[{_CN_NUM}\d]+章)\s*(?P<title>.*)$")),
    ("cn-section", re.compile(rf"^(?P<label>第[{_CN_NUM}\d]+节)\s*(?P<title>.*)$")),
    ("cn-ordinal", re.compile(rf"^(?P<label>[{_CN_NUM}]+、)\s*(?P<title>.+)$")),
    ("cn-paren", re.compile(rf"^(?P<label>[（(][{_CN_NUM}]+[）)])\s*(?P<title>.+)$")),
    (
        "en-section",
        re.compile(
            r"^(?P<label>(?:Section|SECTION|Article|ARTICLE|Chapter|CHAPTER|Part|PART)\s+[\dIVXLC]+[.:]?)\s*(?P<title>.*)$"
        ),
    ),
    ("num-3", re.compile(r"^(?P<label>\d{1,3}\.\d{1,3}\.\d{1,3}\.?)\s*(?P<title>\S.*)$")),
    ("num-2", re.compile(r"^(?P<label>\d{1,3}\.\d{1,3}\.?)\s*(?P<title>\S.*)$")),
    ("num", re.compile(r"^(?P<label>\d{1,3}[.．、](?!\d))\s*(?P<title>\S.*)$")),
    ("paren-num", re.compile(r"^(?P<label>[（(]\d{1,3}[）)])\s*(?P<title>.+)$")),
]
_ARTICLE = re.compile(
    rf"^(?P<label>第[{_CN_NUM}\d]+条(?:之[{_CN_NUM}\d]+)?)[\s　]*(?P<title>.*)$", re.S
)


def is_article_label(label: str) -> bool:
    """Whether a block's label numbers an article (`第三十条`, `第十条之一`)."""
    return _ARTICLE.match(label) is not None


_TERMINAL_END = re.compile(r"[。！？；;!?]$|[.](?<!\d\.)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Heading:
    key: str
    label: str
    title: str
    explicit_level: int | None = None


# What a text must start with for one of the heading patterns to match it (`第`, a Chinese
# numeral, a bracket, the first letter of `Section` and its peers), besides a digit (`\d`,
# which is ``str.isdecimal``): most paragraphs are tried against none of them.
_HEADING_FIRST = frozenset("第（(SACP" + _CN_NUM)


def _may_number(text: str) -> bool:
    """Whether a heading pattern can match ``text`` (by its first character)."""
    first = text[:1]
    return first in _HEADING_FIRST or first.isdecimal()


def detect_heading(p: Paragraph) -> Heading | None:
    """Is this paragraph a heading, and of which kind? Long numbered sentences are not."""
    text = p.text
    label_prefix = p.numbering
    patterns = _HEADING_PATTERNS if _may_number(text) else ()
    if p.heading_level is not None:
        for key, rx in patterns:
            m = rx.match(text)
            if m and key in ("chapter", "part", "cn-section"):
                return Heading(key, m["label"], m["title"].strip(), p.heading_level)
            if m and m["title"].strip():  # `## 2. License Grants`: numbered like its peers
                return Heading(
                    f"h{p.heading_level}", m["label"], m["title"].strip(), p.heading_level
                )
        return Heading(f"h{p.heading_level}", label_prefix, text, p.heading_level)
    if _ARTICLE.match(text):
        return None
    short = len(text) <= (60 if _CJK.search(text) else 120)
    for key, rx in patterns:
        m = rx.match(text)
        if m:
            if key in ("chapter", "part", "cn-section") or (
                short and not _TERMINAL_END.search(text)
            ):
                return Heading(key, m["label"], m["title"].strip())
            return None
    if label_prefix and short and not _TERMINAL_END.search(text):
        return Heading("numbered", label_prefix, text)
    if (
        text.isupper()
        and not _CJK.search(text)
        and len(text.split()) <= 8
        and not _TERMINAL_END.search(text)
    ):
        return Heading("caps", "", text)
    return None


# Numbered lines whose role (heading or paragraph) is read from their siblings', by label form.
_NUMBERED_KEYS = ("num-3", "num-2", "num")
_NUMBERED_PATTERNS = [(key, rx) for key, rx in _HEADING_PATTERNS if key in _NUMBERED_KEYS]
# A numbered level needs this many lines before its siblings outvote one of them.
_SIBLINGS_MIN = 3


def _numbered_group(text: str) -> tuple[str, str] | None:
    """The numbering level of a line (`1.5.` → num-2 under `1`), whatever its role."""
    if not text[:1].isdecimal():  # (each pattern opens with `\d`)
        return None
    for key, rx in _NUMBERED_PATTERNS:
        m = rx.match(text)
        if m:
            return key, m["label"].rstrip(".．、").rpartition(".")[0]
    return None


def _demote_outvoted_headings(paragraphs: list[Paragraph], headings: list[Heading | None]) -> None:
    """Numbered lines of one level under one parent play one role: where most of them are
    running text (`1.1. "Contributor" means each individual …`, `16. Limitation of
    Liability.`), the short ones among them are paragraphs too (`1.5. "Incompatible With
    Secondary Licenses" means`, a sentence continued by its list; `17. Interpretation of
    Sections 15 and 16.`), not headings that would swallow their later siblings."""
    groups: dict[tuple[int, str, str], list[int]] = {}
    segment = 0  # numbered levels are counted apart under each other heading
    for i, (p, h) in enumerate(zip(paragraphs, headings, strict=True)):
        if h is not None and h.key not in _NUMBERED_KEYS:
            segment += 1
            continue
        if p.numbering:
            continue
        group = _numbered_group(p.text)
        if group is not None:
            groups.setdefault((segment, *group), []).append(i)
    for members in groups.values():
        as_headings = [i for i in members if headings[i] is not None]
        if len(members) >= _SIBLINGS_MIN and 2 * len(as_headings) < len(members):
            for i in as_headings:
                headings[i] = None


def _is_plain_heading(text: str) -> bool:
    """An unnumbered heading: a short line without closing punctuation."""
    if _TERMINAL_END.search(text) or text.endswith(("，", ",", "：", ":")):
        return False
    if _CJK.search(text):
        return 4 <= len(text) <= 30
    words = text.split()
    return 1 <= len(words) <= 8 and (text.isupper() or text.istitle())


# --- sentences and clauses -----------------------------------------------------------------

_CN_SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)]*|$)")
_EN_SENTENCE = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z“\"(\d])")


# A sentence's end: where the first one ends a paragraph, the paragraph is one sentence.
_CN_STOP = re.compile(r"[。！？!?]")
_CN_END = re.compile(r"[。！？!?]+[”’」』）)]*")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping closing quotes with their sentence."""
    if _CJK.search(text):
        stop = _CN_STOP.search(text)
        if stop is None or _CN_END.fullmatch(text, stop.start()):
            # One sentence, as _CN_SENTENCE finds it (the text, then an empty match at its end)
            return [text.strip() or text]
        parts = [s for part in _CN_SENTENCE.findall(text) if (s := part.strip())]
    else:
        parts = [s for part in _EN_SENTENCE.split(text) if (s := part.strip())]
    return parts or [text]


_OPENING = "（(“‘《「【"
_CLOSING = "）)”’》」】"
# The characters split_clauses acts on, by separator: only these are visited, not every one.
_CLAUSE_MARKS = {
    sep: re.compile("[" + re.escape(_OPENING + _CLOSING + sep) + "]") for sep in ("；;", "，,")
}


def _parts_outside_brackets(sentence: str, separators: str) -> list[str]:
    """``sentence`` cut after each separator that no bracket or quote holds."""
    parts: list[str] = []
    depth = 0
    start = 0
    for m in _CLAUSE_MARKS[separators].finditer(sentence):
        ch = m.group()
        if ch in _OPENING:
            depth += 1
        elif ch in _CLOSING:
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(sentence[start : m.end()])
            start = m.end()
    if start < len(sentence):
        parts.append(sentence[start:])
    return parts


_BRACKETS = re.compile("[" + re.escape(_OPENING + _CLOSING) + "]")
_AFTER_SEPARATOR = {sep: re.compile(f"(?<=[{sep}])") for sep in ("；;", "，,")}


def split_clauses(sentence: str) -> list[str]:
    """Split a list-like sentence into its measures: at `；`, or at `，` when the sentence is a
    run of several substantial parts. Brackets and quotes are never split."""
    if "；" in sentence or ";" in sentence:
        separators = "；;"
    elif len(sentence) < 40 or not _CJK.search(sentence):
        return [sentence]
    else:
        separators = "，,"
    if _BRACKETS.search(sentence) is None:
        # Nothing to keep together: a part ends after each separator (a split in C).
        parts = _AFTER_SEPARATOR[separators].split(sentence)
        if not parts[-1]:
            parts.pop()
    else:
        parts = _parts_outside_brackets(sentence, separators)
    # Merge fragments too short to be a measure of their own into the one before.
    merged: list[str] = []
    for part in parts:
        if merged and len(part.strip("，,；;。 ")) < 8:
            merged[-1] += part
        else:
            merged.append(part)
    if merged and len(merged) > 1 and len(merged[0].strip("，,；;。 ")) < 8:
        merged[1] = merged[0] + merged[1]
        merged.pop(0)
    return merged if len(merged) >= 2 else [sentence]


# --- lead sentences --------------------------------------------------------------------------

_LEAD_MAX = 20


def _is_lead_sentence(sentence: str) -> bool:
    """A short heading-like sentence: `抢抓协同发展重大机遇。` (no comma, no quote, no digits)."""
    body = sentence.rstrip("。")
    return (
        sentence.endswith("。")
        and 4 <= len(body) <= _LEAD_MAX
        and _CJK.search(body) is not None
        and not re.search(r"[，,；;：:“”\"（）()、]", body)
    )


def _split_at_embedded_leads(sentences: list[str], lead_lengths: Counter[int]) -> list[list[str]]:
    """Cut a paragraph where a sentence is a lead that extraction ran into it.

    A mid-paragraph sentence is taken as a lead when it is lead-shaped, carries no digits, is not
    the paragraph's last sentence (`全力创建全国文明城区。` closes a paragraph), does not directly
    follow a lead, and has the length of the section's paragraph-opening leads (Chinese plans
    write sibling priorities in parallel: `稳妥有序推进城市更新` / `减污降碳加速绿色转型`)."""
    groups: list[list[str]] = [[]]
    for i, sent in enumerate(sentences):
        body = sent.rstrip("。")
        is_embedded_lead = (
            i > 0
            and i < len(sentences) - 1
            and _is_lead_sentence(sent)
            and not re.search(r"\d", body)
            and not _is_lead_sentence(sentences[i - 1])
            and any(abs(len(body) - n) <= 1 for n in lead_lengths)
        )
        if is_embedded_lead and groups[-1]:
            groups.append([])
        groups[-1].append(sent)
    return groups


_BLOCK_LABEL = re.compile(
    rf"^(?:[（(][{_CN_NUM}\d]{{1,3}}[）)]|\d{{1,3}}[.．、](?!\d)|[{_CN_NUM}]{{1,3}}、)"
)


def _label_and_lead(sentences: list[str]) -> tuple[str, str]:
    """A paragraph's own numbering (`（一）`, `1.`) and its lead phrase, if it opens with one."""
    if not sentences:
        return "", ""
    m = _BLOCK_LABEL.match(sentences[0])
    label = m.group(0) if m else ""
    first = sentences[0][len(label) :].lstrip()
    lead = first.rstrip("。") if len(sentences) > 1 and _is_lead_sentence(first) else ""
    return label, lead


# --- front matter ----------------------------------------------------------------------------

# The lines a document opens with before its body, when they are of these kinds: the title
# (and its repetition, perhaps broken over lines), the enactment and amendment history and a
# `施行` line, an issuing number, addressees, a transmittal note, `（此件主动公开）`.
_DATE_LINE = re.compile(r"^[（(]?\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_HISTORY_WORDS = re.compile(r"通过|修正|修订|公布|发布|施行|批准|印发|颁布|决定|签发|生效|会议上$")
_QUOTED_TITLE = re.compile(r"《[^》]*》|〈[^〉]*〉")
_SENTENCE_MARKS = re.compile(r"[，,。；;]")
_ISSUING_NUMBER = re.compile(
    rf"^\S{{0,30}}(?:[〔\[［（(]\d{{4}}[〕\]］）)]\s*第?\s*\d+\s*号"
    rf"|令\s*(?:第\s*)?[\d{_CN_NUM}]+\s*号|^第\s*\d+\s*号)$"
)
_PUBLICITY = re.compile(r"^[（(]此件.{1,12}[）)]$")
_NOTICE_TITLE = re.compile(r"关于.{2,80}(?:通知|通告|公告|决定|批复|函)$")
_TRANSMITTAL = re.compile(
    r"现(?:予以|予)?(?:印发|发布|公布)|印发给你们|请(?:认真|遵照|结合实际)\S{0,8}(?:执行|落实)"
)
_ADDRESSEES_EXCLUDE = re.compile(r"如下|下列|包括|为了|为")
_ISSUER = re.compile(r"(?:委员会|人民政府|办公室|办公厅|人民法院|人民检察院|国务院|[局部厅署])$")
# A front-matter line is short: a paragraph longer than this is body text.
FRONT_LINE_MAX = 300


def _bare(text: str) -> str:
    """Text without white space and punctuation, to find a title's pieces."""
    return re.sub(r"[\W_]+", "", text)


def _is_front_line(p: Paragraph, title_key: str, seen_front: bool) -> bool:
    text = p.text
    if p.front:
        return True
    if len(text) > FRONT_LINE_MAX or _ARTICLE.match(text):
        return False
    if _DATE_LINE.match(text):
        rest = _QUOTED_TITLE.sub("", text)
        return len(text) <= 20 or (
            _HISTORY_WORDS.search(text) is not None and not _SENTENCE_MARKS.search(rest)
        )
    if _ISSUING_NUMBER.match(text) or _PUBLICITY.match(text):
        return True
    if _TERMINAL_END.search(text):
        return seen_front and _TRANSMITTAL.search(text) is not None
    if text.endswith(("：", ":")):
        return seen_front and len(text) <= 60 and not _ADDRESSEES_EXCLUDE.search(text)
    if p.heading_level is not None and p.heading_level > 1 or detect_heading(p) is not None:
        return False
    if text.endswith(("，", ",", "、")):  # a sentence cut short, not a title
        return False
    key = _bare(text)
    if title_key and len(key) >= 4 and key in title_key:
        return True  # the title, or a piece of it on a line of its own
    if _NOTICE_TITLE.search(text) and len(text) <= 120:
        return True
    return seen_front and len(text) <= 30 and _ISSUER.search(text) is not None


def front_matter_length(paragraphs: list[Paragraph], title: str) -> int:
    """How many of the opening paragraphs are front matter (0 when the body would be empty)."""
    title_key = _bare(title)
    # A document of several `#` titles has no single title to set apart.
    if sum(p.heading_level == 1 for p in paragraphs) > 1:
        title_key = ""
    n = 1 if _titled_history(paragraphs, title_key) else 0
    for p in paragraphs[n:]:
        if p.heading_level == 1 and not title_key and not p.front:
            break
        if not _is_front_line(p, title_key, n > 0):
            break
        n += 1
    return n if n < len(paragraphs) else 0


def _titled_history(paragraphs: list[Paragraph], title_key: str) -> bool:
    """Whether the document opens with its title as a heading (Word's Heading 1, `#`, a
    PDF's large line) directly followed by its enactment history or issuing number: then the
    title opens the front matter, as it does when the source marks the front matter itself
    (the same statute as .md, .docx and .pdf has the same front matter)."""
    if len(paragraphs) < 2 or not title_key:
        return False
    title, after = paragraphs[0], paragraphs[1]
    if title.heading_level != 1 or title.front or _bare(title.text) != title_key:
        return False
    opens = _DATE_LINE.match(after.text) or _ISSUING_NUMBER.match(after.text)
    return bool(opens) and after.heading_level is None and _is_front_line(after, title_key, True)


# --- the tree --------------------------------------------------------------------------------


_ID_PREFIX: dict[str, str] = {"section": "s", "block": "b", "sentence": "t", "clause": "c"}


class _Builder:
    """The nodes in reading order, and the document's indices of them (children by parent,
    nodes by kind) kept as they are added: :class:`Document` need not build them again."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.counts: dict[str, int] = dict.fromkeys(_ID_PREFIX, 0)
        self.children: dict[str | None, list[Node]] = {}
        self.kinds: dict[str, list[Node]] = {kind: [] for kind in _ID_PREFIX}

    def add(
        self,
        kind: Kind,
        text: str,
        parent: str | None,
        label: str = "",
        title: str = "",
        role: str = "",
    ) -> Node:
        n = self.counts[kind] + 1
        self.counts[kind] = n
        node = Node(f"{_ID_PREFIX[kind]}{n}", kind, text, parent, label, title, role=role)
        self.nodes.append(node)
        kids = self.children.get(parent)
        if kids is None:
            self.children[parent] = [node]
        else:
            kids.append(node)
        self.kinds[kind].append(node)
        return node

    def add_block(
        self, text: str, parent: str | None, label: str = "", title: str = "", role: str = ""
    ) -> Node:
        block = self.add("block", text, parent, label, title, role)
        block_id = block.id
        append = self.nodes.append
        add_sentence = self.kinds["sentence"].append
        add_clause = self.kinds["clause"].append
        children = self.children
        # (what :meth:`add` does, with the counts in locals: four nodes a block on average)
        sentences, clauses = self.counts["sentence"], self.counts["clause"]
        block_kids: list[Node] = []
        for para in text.split("\n"):
            for sent in split_sentences(para):
                sentences += 1
                sentence_id = f"t{sentences}"
                sentence = Node(sentence_id, "sentence", sent, block_id, "", "", 0, role)
                append(sentence)
                add_sentence(sentence)
                block_kids.append(sentence)
                # Every sentence has at least one clause, so the finest level always covers
                # the whole text and a measure can move between list and plain sentences.
                kids = []
                for clause_text in split_clauses(sent):
                    clauses += 1
                    clause = Node(
                        f"c{clauses}", "clause", clause_text, sentence_id, "", "", 0, role
                    )
                    append(clause)
                    add_clause(clause)
                    kids.append(clause)
                children[sentence_id] = kids
        if block_kids:
            children[block_id] = block_kids
        self.counts["sentence"], self.counts["clause"] = sentences, clauses
        return block

    def document(self, title: str, path: str, genre: str) -> Document:
        return Document(
            nodes=self.nodes,
            title=title,
            path=path,
            genre=genre,
            _children=self.children,
            _of_kind={kind: nodes for kind, nodes in self.kinds.items() if nodes},
        )


def detect_genre(paragraphs: list[Paragraph]) -> str:
    articles = sum(1 for p in paragraphs if _ARTICLE.match(p.text))
    if articles >= 3:
        return "statute"
    cjk = sum(1 for p in paragraphs if _CJK.search(p.text))
    if cjk > len(paragraphs) / 2:
        return "plan"
    return "generic"


def find_title(paragraphs: list[Paragraph]) -> str:
    head = paragraphs[:12]
    for p in head:
        if p.heading_level == 1:
            return p.text
    ranked = []
    for i, p in enumerate(head):
        t = p.text
        if len(t) > 60 or _TERMINAL_END.search(t) or detect_heading(p):
            continue
        if re.search(r"(计划|报告|条例|规划|办法|规定|方案|意见|纲要|决定)$", t):
            ranked.append((0, i, t))
        elif re.search(r"(通知|通告|公告)$", t):
            ranked.append((1, i, t))
        elif i < 3:
            ranked.append((2, i, t))
    return min(ranked)[2] if ranked else (paragraphs[0].text[:60] if paragraphs else "")


def max_units() -> int:
    """The unit limit: ``DIFFREPORT_MAX_UNITS`` if set, else :data:`MAX_UNITS`."""
    env = os.environ.get("DIFFREPORT_MAX_UNITS", "").strip()
    if not env:
        return MAX_UNITS
    if not (env.isascii() and env.isdigit() and int(env) > 0):
        raise SettingsError(
            f"DIFFREPORT_MAX_UNITS: {env[:40]!r} is not a positive whole number of blocks"
        )
    return int(env)


def check_units(
    name: str, count: int, what: str, limit: int | None = None, counted_all: bool = True
) -> None:
    """Refuse a document of more than :func:`max_units` paragraphs or blocks (readers call
    this too, to stop counting at the limit: then ``counted_all`` is false)."""
    limit = max_units() if limit is None else limit
    if count > limit:
        raise InputError(
            name or "<input>",
            (f"has {count:,}" if counted_all else f"has more than {limit:,}")
            + f" {what}, over the limit of {limit:,}",
            "split it, or raise the limit with DIFFREPORT_MAX_UNITS if you trust the file",
        )


def parse(source: SourceText) -> Document:
    limit = max_units()
    # Checked before the work (paragraphs) and after it (blocks: a plan's paragraph may hold
    # several), so that no input costs more than the limit allows.
    check_units(source.path, len(source.paragraphs), "paragraphs", limit)
    paragraphs = [p for p in source.paragraphs if p.text.strip()]
    genre = detect_genre(paragraphs)
    title = find_title(paragraphs)
    b = _Builder()
    front = front_matter_length(paragraphs, title)
    if front:
        # One `front` section, headed by the first line (the title, as a rule), holding the
        # other lines as blocks: shown and compared apart from the body.
        head = b.add("section", paragraphs[0].text, None, title=paragraphs[0].text, role="front")
        head.depth = 1
        for p in paragraphs[1:front]:
            b.add_block(p.text, head.id, role="front")
        paragraphs = paragraphs[front:]
    headings = [detect_heading(p) for p in paragraphs]
    _demote_outvoted_headings(paragraphs, headings)
    if sum(h is not None for h in headings) < 2:
        # No numbered structure: short unpunctuated lines followed by text are headings.
        for i, p in enumerate(paragraphs):
            nxt = paragraphs[i + 1].text if i + 1 < len(paragraphs) else ""
            if _is_plain_heading(p.text) and len(nxt) > len(p.text):
                headings[i] = Heading("plain", "", p.text)

    ranks: dict[str, int] = {}
    explicit = [h.explicit_level for h in headings if h and h.explicit_level]
    base = max(explicit, default=0)
    stack: list[tuple[int, Node]] = []
    article: tuple[Node | None, list[str], str, str] | None = None  # statute: open article

    def flush_article() -> None:
        nonlocal article
        if article is not None:
            parent, lines, label, title = article
            b.add_block("\n".join(lines), parent.id if parent else None, label=label, title=title)
            article = None

    pending: list[tuple[Node | None, str]] = []  # plan: paragraphs of the current section

    def flush_plan() -> None:
        if not pending:
            return
        split = [(parent, split_sentences(text)) for parent, text in pending]
        lead_lengths = Counter(
            len(lead) for _, sentences in split for lead in [_label_and_lead(sentences)[1]] if lead
        )
        for parent, sentences in split:
            groups = (
                _split_at_embedded_leads(sentences, lead_lengths)
                if len(lead_lengths) and sum(lead_lengths.values()) >= 2
                else [sentences]
            )
            for group in groups:
                label, lead = _label_and_lead(group)
                b.add_block("".join(group), parent.id if parent else None, label=label, title=lead)
        pending.clear()

    for p, h in zip(paragraphs, headings, strict=True):
        if h is not None:
            flush_article()
            flush_plan()
            if h.explicit_level is not None and not h.key.startswith(
                ("chapter", "part", "cn-section")
            ):
                rank = h.explicit_level
            else:
                rank = ranks.setdefault(h.key, base + len(ranks) + 1)
            while stack and stack[-1][0] >= rank:
                stack.pop()
            parent = stack[-1][1] if stack else None
            text = (
                p.text
                if not p.numbering or p.text.startswith(p.numbering)
                else f"{p.numbering}{p.text}"
            )
            node = b.add(
                "section",
                text,
                parent.id if parent else None,
                label=h.label,
                title=h.title or h.label,
            )
            node.depth = len(stack) + 1
            stack.append((rank, node))
            continue
        parent = stack[-1][1] if stack else None
        text = f"{p.numbering}{p.text}" if p.numbering else p.text
        if genre == "statute":
            m = _ARTICLE.match(text)
            if m:
                flush_article()
                article = (parent, [text], m["label"], "")
            elif article is not None and article[0] is parent:
                article[1].append(text)
            else:
                flush_article()
                b.add_block(text, parent.id if parent else None)
        elif genre == "plan":
            pending.append((parent, text))
        else:
            label, lead = _label_and_lead(split_sentences(text))
            b.add_block(text, parent.id if parent else None, label=label, title=lead)
    flush_article()
    flush_plan()
    check_units(source.path, len(b.kinds["block"]), "blocks", limit)
    return b.document(title=title, path=source.path, genre=genre)
