"""Quantitative targets: extract `indicator + number + unit + qualifier` and pair them by indicator.

`地区生产总值同比增长4%以上` → indicator `地区生产总值同比增长`, value 4, unit `%`, qualifier `以上`;
`新建提升4个口袋公园` → indicator `口袋公园` (the noun after the figure names what is counted).
Chinese numerals (`五部`, `二十项`) are read too; ordinals (`第五次`), numbers inside quoted
slogans (`“十项行动”`) and idioms (`一批`) are not targets. Pairing is by fuzzy similarity of the
indicators (rapidfuzz), one-to-one with an optimal assignment. A target whose indicator is kept
but whose figure gave way to a qualitative aim (`专精特新中小企业达到40家` → `“专精特新”企业数量
…保持中心城区首位`) is `reworded`, with the aim as the other side (value `None`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from .model import Document, Node
from .similarity import linear_sum_assignment

UNITS = [
    "万平方米", "平方米", "平方公里", "万亿元", "亿元", "万元", "元", "万人", "万户", "个百分点", "%",
    "公里", "千米", "万吨", "吨", "个", "家", "项", "座", "处", "亩", "所", "条", "部", "户", "套",
    "场", "批", "名", "人", "次", "件", "张", "辆", "台", "栋", "间", "倍", "天", "小时",
]  # fmt: skip
_UNIT = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
_CN_NUMERAL = "零〇一二两三四五六七八九十百千万"
_PRE_QUALIFIERS = [
    "不少于",
    "不低于",
    "不超过",
    "超过",
    "控制在",
    "保持在",
    "突破",
    "约",
    "近",
]
_POST_QUALIFIERS = ["以上", "左右", "以内", "以下", "内"]
# `5万余户`: 万 multiplies only before 余/多 (in `50万平方米` it belongs to the unit).
_NUMBER = rf"(?P<num>\d+(?:\.\d+)?(?:万(?=[余多]))?|[{_CN_NUMERAL}]{{1,4}})"
_TARGET = re.compile(
    rf"(?P<pre>{'|'.join(_PRE_QUALIFIERS)})?{_NUMBER}\s?(?P<more>余|多)?\s?(?P<unit>{_UNIT})"
    rf"(?P<post>{'|'.join(_POST_QUALIFIERS)})?"
)
# Words that introduce a figure but are not part of the indicator's name.
_FILLER = re.compile(
    r"^(?:预计|全年|力争|确保|努力|实现|完成|全力|新增|累计|其中|年内|共|再|推动|推进|加快|协调)+"
)
_VERB_TAIL = re.compile(
    r"(?:同比|分别|预计|力争|达到|实现|保持|控制在|完成|突破|超过|不少于|不低于)+$"
)
_BOUNDARY = re.compile(r"[，,；;。：:！？、（）()“”\"%]")
_POST_CUT = re.compile(r"[，,；;。：:！？、（）()“”\"及和与\d]")
_QUOTED = re.compile(r"[“\"「『《][^”\"」』》]*[”\"」』》]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A qualitative aim that can stand in for a figure: `保持中心城区首位`, `数量…前列`.
_AIM = re.compile(r"数量|规模|比重|比例|排名|首位|前列|水平|增长|增速")
# Idioms with a Chinese numeral that count nothing: `一批`, `一件事`, `一公里`.
_IDIOM_UNITS = frozenset("批件")


@dataclass(frozen=True, slots=True)
class Target:
    indicator: str  # what is measured, e.g. `地区生产总值同比增长`, `口袋公园`
    key: str  # for pairing, e.g. `地区生产总值增长`
    text: str  # the whole phrase, e.g. `地区生产总值同比增长4%以上`
    value: float | None  # None: a qualitative aim in place of a figure (`reworded`)
    unit: str
    qualifier: str
    node: str  # id of the clause it was found in

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "value": self.value,
            "unit": self.unit,
            "qualifier": self.qualifier,
            "node": self.node,
        }


@dataclass(frozen=True, slots=True)
class TargetChange:
    indicator: str
    old: Target | None
    new: Target | None
    change: str  # raised | lowered | unchanged | new | dropped | reworded

    def to_dict(self) -> dict:
        return {
            "indicator": self.indicator,
            "old": self.old.to_dict() if self.old else None,
            "new": self.new.to_dict() if self.new else None,
            "change": self.change,
        }


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def chinese_to_number(text: str) -> float | None:
    """`二十` → 20, `五` → 5, `一百零五` → 105; None if ``text`` is not a Chinese numeral."""
    if not text or any(ch not in _DIGITS and ch not in _SCALES for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        else:
            total += (current or 1) * _SCALES[ch]
            current = 0
    return float(total + current)


def _value(num: str) -> float | None:
    if num.endswith("万") and num[:-1].replace(".", "", 1).isdigit():
        return float(num[:-1]) * 10000
    try:
        return float(num)
    except ValueError:
        return chinese_to_number(num)


def _in_quotes(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTED.finditer(text)]


def _indicator(text: str, start: int, end: int, unit: str) -> tuple[str, str, str]:
    """(indicator, words before, words after) for the figure at ``text[start:end]``."""
    head = text[:start]
    previous = [m.end() for m in _TARGET.finditer(head)]
    if previous:
        head = head[previous[-1] :]  # `…300亩及进步广场等载体30万平方米`: not the figure before
    before = _BOUNDARY.split(head)[-1][-16:].strip()
    after = _POST_CUT.split(text[end:])[0][:12].strip()
    # `新建提升4个口袋公园`: a counted noun after the figure names the indicator; a percentage
    # or a figure that ends the phrase belongs to the words before it.
    counted = len(_CJK.findall(after)) >= 2
    if unit not in ("%", "个百分点") and counted:
        return after, before, after
    name = before.rsplit("等", 1)[-1] if "等" in before[:-1] else before
    name = _VERB_TAIL.sub("", name) or name
    return name, before, after if counted else ""


def extract_targets(doc: Document) -> list[Target]:
    """Every figure with a unit in the document's clauses, with what it measures."""
    out: list[Target] = []
    read: dict[str, list[_Figure]] = {}  # a long code repeats clauses: each text read once
    for clause in doc.of_kind("clause"):
        figures = read.get(clause.text)
        if figures is None:
            figures = read[clause.text] = _figures(clause.text)
        out.extend(Target(*figure, node=clause.id) for figure in figures)
    return out


# A target as found in a clause's text: indicator, key, text, value, unit, qualifier.
_Figure = tuple[str, str, str, float, str, str]


def _figures(text: str) -> list[_Figure]:
    out: list[_Figure] = []
    quotes: list[tuple[int, int]] | None = None
    # The cheap tests first: most matches are Chinese numerals that count nothing.
    for m in _TARGET.finditer(text):
        num, unit, start = m["num"], m["unit"], m.start("num")
        if start > 0 and (text[start - 1] == "第" or text[start - 1].isdigit()):
            continue  # an ordinal: `第五次`, `第十八条`
        chinese = not num[0].isdigit()
        if chinese:
            # Chinese numerals need a real classifier: not `一批`, `一件事`, a bare `一`.
            if unit in _IDIOM_UNITS or unit in ("%", "人", "次", "天"):
                continue
            if start > 0 and text[start - 1] in _CN_NUMERAL:
                continue
        value = _value(num)
        if value is None or (chinese and value == 1):
            continue
        if quotes is None:
            quotes = _in_quotes(text)
        if any(a <= start < b for a, b in quotes):
            continue  # part of a slogan or a title: `“十项行动”`, `《…等10件…的决定》`
        name, before, after = _indicator(text, m.start(), m.end(), unit)
        key = _VERB_TAIL.sub("", _FILLER.sub("", name.replace("同比", ""))) or name
        if not re.search(r"[\u4e00-\u9fffA-Za-z]", key):
            continue
        phrase = (before + text[m.start() : m.end()] + after).strip("，,；;。 ")
        qualifier = (m["pre"] or "") + ("…" if m["pre"] and m["post"] else "")
        qualifier += m["post"] or ""
        if m["more"]:
            qualifier = qualifier or m["more"]
        out.append((name, key, phrase, value, unit, qualifier))
    return out


# Classifiers that only count things: `417个混接点` → `300余处混接点` is a lower count.
_COUNTERS = frozenset("个家项座处所条部户套场名件张辆台栋间")


def _change(old: Target, new: Target) -> str:
    if old.value is None or new.value is None:
        return "reworded"
    if old.unit != new.unit and not (old.unit in _COUNTERS and new.unit in _COUNTERS):
        return "reworded"
    if new.value > old.value:
        return "raised"
    if new.value < old.value:
        return "lowered"
    return "unchanged" if old.qualifier == new.qualifier else "reworded"


def _core(key: str) -> str:
    """The name inside an indicator, without its generic head noun: `专精特新中小企业` →
    `专精特新`, which a rewording keeps (`“专精特新”企业数量`)."""
    return re.sub(r"(?:中小企业|企业|项目|数量)$", "", key) or key


def _aims(doc: Document) -> list[tuple[str, Node]]:
    """Clauses that state a qualitative aim and no figure, with their text unquoted."""
    return [
        (c.text.replace("“", "").replace("”", ""), c)
        for c in doc.of_kind("clause")
        if _AIM.search(c.text) and not _TARGET.search(c.text)
    ]


def _aim_for(target: Target, aims: list[tuple[str, Node]], taken: set[str]) -> Target | None:
    """A clause among ``aims`` that keeps ``target``'s indicator with a qualitative aim
    instead of a figure, as a `Target` with value None."""
    core = _core(target.key)
    if len(core) < 4:
        return None
    best = next((c for text, c in aims if c.id not in taken and core in text), None)
    if best is None:
        return None
    return Target(target.indicator, target.key, best.text.strip("，,；;。 "), None, "", "", best.id)


def _codes(old: list[str], new: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each string as the index of its first occurrence among the distinct strings of both."""
    index: dict[str, int] = {}
    for k in old + new:
        index.setdefault(k, len(index))
    return np.array([index[k] for k in old]), np.array([index[k] for k in new])


def _same(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """1.0 where the codes of a row and a column are equal, 0.0 elsewhere."""
    return (old[:, None] == new[None, :]).astype(np.float32)


def _key_scores(old: list[str], new: list[str]) -> np.ndarray:
    """WRatio of every old key against every new key, for the optimal assignment. Each
    distinct pair is scored once (a long code repeats its indicators: law-x9 has 360 figures
    a side but 21 keys), on all cores when there are many (WRatio is costly)."""
    distinct_old, distinct_new = list(dict.fromkeys(old)), list(dict.fromkeys(new))
    scores = process.cdist(
        distinct_old,
        distinct_new,
        scorer=fuzz.WRatio,
        dtype=np.float32,
        workers=-1 if len(distinct_old) * len(distinct_new) > 10_000 else 1,
    )
    row = {k: i for i, k in enumerate(distinct_old)}
    col = {k: j for j, k in enumerate(distinct_new)}
    return scores[np.ix_([row[k] for k in old], [col[k] for k in new])]


def compare_targets(old: Document, new: Document, threshold: float = 70.0) -> list[TargetChange]:
    olds, news = extract_targets(old), extract_targets(new)
    changes: list[TargetChange] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    if olds and news:
        score = _key_scores([t.key for t in olds], [t.key for t in news])
        # Same unit is a strong hint that two figures measure the same thing.
        same_unit = _same(*_codes([t.unit for t in olds], [t.unit for t in news]))
        score = score + 10 * same_unit
        rows, cols = linear_sum_assignment(-score)
        for r, c in zip(rows, cols, strict=True):
            if score[r, c] - 10 * same_unit[r, c] >= threshold:
                used_old.add(int(r))
                used_new.add(int(c))
                o, n = olds[r], news[c]
                changes.append(TargetChange(n.indicator, o, n, _change(o, n)))
    taken_new = {t.node for t in news}
    taken_old = {t.node for t in olds}
    new_aims = _aims(new) if len(used_old) < len(olds) else []
    old_aims = _aims(old) if len(used_new) < len(news) else []
    # An unpaired figure whose indicator continues as a qualitative aim is `reworded`.
    sides = (
        ("old", olds, used_old, new_aims, taken_new),
        ("new", news, used_new, old_aims, taken_old),
    )
    for side, targets, used, aims, taken in sides:
        for i, t in enumerate(targets):
            if i in used:
                continue
            aim = _aim_for(t, aims, taken)
            if aim is not None:
                taken.add(aim.node)
            pair = (t, aim) if side == "old" else (aim, t)
            change = "reworded" if aim is not None else ("dropped" if side == "old" else "new")
            changes.append(TargetChange(t.indicator, *pair, change))
    return changes
