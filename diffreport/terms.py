"""Term shifts: policy terms that appeared, vanished, rose, fell or were renamed.

Candidates are quoted slogans (`“两重”`, `“高效办成一件事”`), terms of the policy dictionary
(`data/policy_terms.txt`) and jieba's TF-IDF keywords of three or more characters (two-character
keywords such as `助力` are mostly style). A term is `new` when the old document never uses it
and `dropped` when the new one never does; `rose` / `fell` are terms used on both sides whose
frequency (per character of text) changed most. A *rename* is a replacement that recurs in
several paired units (`质量技监部门` → `市场监管部门` in nine articles) while the old term
disappears: it is reported once, not as forty edits, and its two terms are not listed again
as new and dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from .model import Document, Node
from .result import Alignment, Rename, TermShift
from .tokens import _LABEL_WORD, FUNCTION_WORDS, display_tokens, keywords

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,16})[”\"」』]")
_WORDY = re.compile(r"[\u4e00-\u9fffA-Za-z]{2}")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def _policy_terms() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "policy_terms.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(line.split()[0] for line in lines if line.strip())


def _quoted_terms(doc: Document) -> Counter[str]:
    return Counter(
        "".join(m.group(1).split()) for b in doc.of_kind("block") for m in _QUOTED.finditer(b.text)
    )


def _keywords(doc: Document, top: int = 80) -> list[str]:
    text = "\n".join(b.text for b in doc.of_kind("block"))
    return [w for w in keywords(text, top) if len(w) >= 2 and not w.isdigit()]


def _where(blocks: list[Node], term: str, limit: int = 5) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if term in b.text:
            out.append(b.id)
            if len(out) == limit:
                break
    return out


def _full_text(doc: Document) -> str:
    return "\n".join(n.text for n in doc.nodes if n.kind in ("section", "block"))


# A term is at most this many words (`User Personal Information`, `互联网及其他公共信息网络运营商`).
TERM_TOKENS = 8
# A term may hold an enumeration comma (`区、县`) but starts and ends with a word.
_TERM_EDGE = re.compile(r"^[\s\W_]+|[\s\W_]+$")


def _content_tokens(text: str) -> list[str]:
    return [t for t in display_tokens(text) if t.strip()]


def _is_word(token: str) -> bool:
    return bool(_WORDY.search(token) or _CJK_WORD.fullmatch(token)) and not _LABEL_WORD.fullmatch(
        token
    )


def _joined(tokens: list[str]) -> str:
    """Tokens as text: Latin words keep a space between them."""
    out = ""
    for t in tokens:
        if out and out[-1].isascii() and out[-1].isalnum() and t[:1].isascii() and t[:1].isalnum():
            out += " "
        out += t
    return out


def _term_pair(old: str, new: str, before: str, after: str) -> tuple[str, str, bool] | None:
    """The replacement ``old`` → ``new`` (between the unchanged ``before`` and ``after``)
    as whole words on both sides, or None when it is not a replacement of terms. Tokens
    both sides share at their edges are context, not the term (`由水行政主管部门责令` →
    `由水务部门责令` is `水行政主管部门` → `水务部门`). A pure deletion or insertion is a
    rename only as the word it changes: an item dropped from an enumeration (`区、县` →
    `区`, with the word before it) or a word dropped before another (`行政处分` → `处分`).
    The flag says whether the terms may continue into the next word (not when they were
    completed with the words around them)."""
    old_t, new_t = _content_tokens(old), _content_tokens(new)
    whole = bool(old_t and new_t)
    while old_t and new_t and old_t[0] == new_t[0]:
        old_t, new_t = old_t[1:], new_t[1:]
    while old_t and new_t and old_t[-1] == new_t[-1]:
        old_t, new_t = old_t[:-1], new_t[:-1]
    if not old_t and not new_t:
        return None
    if not old_t or not new_t:
        changed = old_t or new_t
        left = _content_tokens(before)[-1:] if before else []
        right = _content_tokens(after)[:1] if after else []
        if changed[0] in "、，," and left and _is_word(left[0]):
            context, at_left = left, True  # `区` + `、县`
        elif changed[-1] in "、，," and right and _is_word(right[0]):
            context, at_left = right, False  # `县、` + `区`
        elif (
            len(changed) == 1
            and len(changed[0]) >= 2
            and changed[0] not in FUNCTION_WORDS
            and right
            and _CJK_WORD.fullmatch(changed[0] + right[0])
        ):
            context, at_left = right, False  # `行政` + `处分`
        else:
            return None
        longer = context + changed if at_left else changed + context
        old_t, new_t = (longer, context) if not new_t else (context, longer)
        whole = False
    o, n = (_TERM_EDGE.sub("", _joined(x)) for x in (old_t, new_t))
    if not o or not n or o == n or max(len(old_t), len(new_t)) > TERM_TOKENS:
        return None
    if not any(map(_is_word, old_t)) or not any(map(_is_word, new_t)):
        return None
    if all(t in FUNCTION_WORDS for t in old_t + new_t if _is_word(t)):
        return None  # `按照` → `依照`: wording, not a term
    if max(len(_TERM_EDGE.sub("", o)), len(n)) < 2 or not _WORDY.search(o + n):
        return None  # `应` → `须`: one character is not a term
    return o, n, whole and old_t[-1] != new_t[-1]


def _replacements(alignments: list[Alignment]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(old term, new term) → [(new unit id, following token)] over the finest changed
    units (see :func:`_term_pair`)."""
    finest: dict[str, int] = {}
    for a in alignments:
        if a.diff and a.status == "changed":
            finest[a.level] = finest.get(a.level, 0) + 1
    level = next((lv for lv in ("clause", "sentence", "block") if lv in finest), None)
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for a in alignments:
        if a.level != level or a.status != "changed" or not a.diff:
            continue
        ops = a.diff
        k = 0
        while k < len(ops):
            if ops[k][0] == "equal":
                k += 1
                continue
            start = k
            deleted = inserted = ""
            while k < len(ops) and ops[k][0] != "equal":
                if ops[k][0] == "delete":
                    deleted += ops[k][1]
                else:
                    inserted += ops[k][1]
                k += 1
            before = ops[start - 1][1] if start > 0 else ""
            after = ops[k][1] if k < len(ops) else ""
            if re.search(r"\d", deleted + inserted):
                continue  # figures are targets, not terms
            if re.search(r"[/.:#()\[\]]", deleted + inserted):
                continue  # links and paths, not terms
            found = _term_pair(deleted, inserted, before, after)
            if found is None:
                continue
            o, n, open_end = found
            first = display_tokens(after[:8])[0] if after and open_end else ""
            out.setdefault((o, n), []).append((a.new[0], first))
            if deleted and inserted:
                for stem in _stem_pairs(deleted.strip(), inserted.strip()):
                    out.setdefault(stem, []).append((a.new[0], ""))
    return out


def _stem_pairs(old: str, new: str) -> set[tuple[str, str]]:
    """Word-level renames inside a larger replacement that keep their stem:
    `、县民政局和市殡葬管理处` → `民政部门` holds `民政局` → `民政部门`."""
    out: set[tuple[str, str]] = set()
    new_toks = display_tokens(new)
    for d in set(display_tokens(old)):
        if len(d) < 2 or not _CJK_WORD.fullmatch(d):
            continue
        for k, t in enumerate(new_toks):
            if t[:2] != d[:2] or t == d:
                continue
            seq = t
            # `民政` + `部门`: a shorter stem word continues into the next word.
            for nxt in new_toks[k + 1 : k + 3]:
                if len(seq) >= len(d) or not _CJK_WORD.fullmatch(nxt):
                    break
                seq += nxt
            if seq != d and (seq, d) != (new, old):
                out.add((d, seq))
    return out


def find_renames(
    old: Document, new: Document, alignments: list[Alignment], min_units: int = 2
) -> list[Rename]:
    old_text, new_text = _full_text(old), _full_text(new)
    counted: dict[tuple[bool, str], int] = {}  # a term recurs across pairs; each count reads it all

    def count(in_new: bool, term: str) -> int:
        key = (in_new, term)
        if key not in counted:
            counted[key] = (new_text if in_new else old_text).count(term)
        return counted[key]

    found: list[Rename] = []
    for (o, n), uses in _replacements(alignments).items():
        units = {u for u, _ in uses}
        if len(units) < min_units:
            continue
        # `质量技监` → `市场监管` before `部门` every time: the terms are `…部门`.
        follow = Counter(f for _, f in uses).most_common(1)[0]
        if follow[0] and _WORDY.fullmatch(follow[0]) and follow[1] * 3 >= len(uses) * 2:
            o, n = o + follow[0], n + follow[0]
        # A rename: the old term is (almost) gone, and the new one is used more than
        # before (it may have existed: `科研院所` → `科研机构`, `区、县` → `区`).
        oc_old, oc_new = count(False, o), count(True, o)
        if oc_new * 4 > oc_old:
            continue
        nc_new = count(True, n)
        # (uses of the new term that are not inside the old one: `区` in `区、县`)
        if nc_new - old_text.replace(o, "\0").count(n) < len(units) / 2:
            continue
        found.append(Rename(o, n, len(units), oc_old, nc_new, sorted(units)[:5]))
    found.sort(key=lambda r: (-r.count, r.old))
    # `各类市场主体` → `企业等经营主体` is the rename `市场主体` → `企业等经营主体` again, and
    # `市水行政主管部门应当` → `市水务部门应当` is `水行政主管部门` → `水务部门` in context.
    return [
        r
        for r in found
        if not any(
            q is not r
            and q.old in r.old
            and q.new in r.new
            and (q.new == r.new or q.count >= r.count)
            for q in found
        )
    ]


def _is_term(term: str, quoted: set[str]) -> bool:
    return term in quoted or term in _policy_terms() or len(term) >= 3


def term_shifts(
    old: Document,
    new: Document,
    alignments: list[Alignment] | None = None,
    limit: int = 60,
) -> dict[str, list]:
    old_text, new_text = _full_text(old), _full_text(new)
    quoted = set(_quoted_terms(new)) | set(_quoted_terms(old))
    candidates: dict[str, None] = dict.fromkeys(sorted(quoted, key=lambda t: -len(t)))
    cjk = bool(re.search(r"[\u4e00-\u9fff]", old_text + new_text))
    if cjk:
        for term in _keywords(new) + _keywords(old):
            candidates.setdefault(term, None)
        for term in sorted(_policy_terms()):
            candidates.setdefault(term, None)
    renames = find_renames(old, new, alignments) if alignments else []
    renamed = {r.old for r in renames} | {r.new for r in renames}
    new_terms: list[TermShift] = []
    dropped: list[TermShift] = []
    rose: list[tuple[float, TermShift]] = []
    fell: list[tuple[float, TermShift]] = []
    old_len, new_len = max(1, len(old_text)), max(1, len(new_text))
    old_blocks, new_blocks = old.of_kind("block"), new.of_kind("block")  # once: of_kind scans
    for term in candidates:
        if not _is_term(term, quoted) or any(term in r for r in renamed):
            continue
        oc, nc = old_text.count(term), new_text.count(term)
        if oc == 0 and nc > 0:
            new_terms.append(TermShift(term, 0, nc, _where(new_blocks, term)))
        elif nc == 0 and oc > 0:
            dropped.append(TermShift(term, oc, 0, _where(old_blocks, term)))
        elif oc and nc and abs(nc - oc) >= 2:
            ratio = (nc / new_len) / (oc / old_len)
            shift = TermShift(term, oc, nc, _where(new_blocks, term))
            if ratio >= 1.5:
                rose.append((ratio, shift))
            elif ratio <= 1 / 1.5:
                fell.append((ratio, shift))
    key = lambda t: (-(t.new_count + t.old_count), t.term)  # noqa: E731
    return {
        "new": sorted(new_terms, key=key)[:limit],
        "dropped": sorted(dropped, key=key)[:limit],
        "rose": [t for _, t in sorted(rose, key=lambda x: (-x[0], x[1].term))][:limit],
        "fell": [t for _, t in sorted(fell, key=lambda x: (x[0], x[1].term))][:limit],
        "renames": renames[:limit],
    }
