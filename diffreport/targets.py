"""Quantitative targets: extract `indicator + number + unit + qualifier` and pair them by indicator.

`地区生产总值同比增长4%以上` → indicator `地区生产总值同比增长`, value 4, unit `%`, qualifier `以上`.
Chinese numerals (`五部`, `二十项`) are read too. Pairing is by fuzzy similarity of the
indicators (rapidfuzz), one-to-one with an optimal assignment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from scipy.optimize import linear_sum_assignment

from .model import Document

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
    "达到",
    "力争",
    "控制在",
    "保持在",
    "突破",
    "约",
]
_POST_QUALIFIERS = ["以上", "左右", "以内", "以下", "以上的", "内"]
_NUMBER = rf"(?P<num>\d+(?:\.\d+)?|[{_CN_NUMERAL}]{{1,4}})"
_TARGET = re.compile(
    rf"(?P<pre>{'|'.join(_PRE_QUALIFIERS)})?{_NUMBER}\s?(?P<unit>{_UNIT})(?P<post>{'|'.join(_POST_QUALIFIERS)})?"
)
# Words that introduce a figure but are not part of the indicator's name.
_FILLER = re.compile(r"^(?:预计|全年|力争|确保|努力|实现|完成|全力|新增|累计|其中|年内|共|再)+")
_VERB_TAIL = re.compile(
    r"(?:同比|分别|预计|力争|达到|实现|保持|控制在|完成|突破|超过|不少于|不低于)+$"
)
_BOUNDARY = re.compile(r"[，,；;。：:！？、（）()“”\"]")


@dataclass(frozen=True, slots=True)
class Target:
    indicator: str  # as written, e.g. `地区生产总值同比增长`
    key: str  # for pairing, e.g. `地区生产总值增长`
    text: str  # the whole phrase, e.g. `地区生产总值同比增长4%以上`
    value: float
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


def chinese_to_number(text: str) -> float | None:
    digits = {
        "零": 0,
        "〇": 0,
        "一": 1,
        "二": 2,
        "两": 2,
        "三": 3,
        "四": 4,
        "五": 5,
        "六": 6,
        "七": 7,
        "八": 8,
        "九": 9,
    }
    scales = {"十": 10, "百": 100, "千": 1000, "万": 10000}
    if not text or any(ch not in digits and ch not in scales for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in digits:
            current = digits[ch]
        else:
            scale = scales[ch]
            total += (current or 1) * scale
            current = 0
    return float(total + current)


def _value(num: str) -> float | None:
    try:
        return float(num)
    except ValueError:
        return chinese_to_number(num)


def extract_targets(doc: Document) -> list[Target]:
    """Every figure with a unit in the document's clauses, with the indicator before it."""
    out: list[Target] = []
    for clause in doc.of_kind("clause"):
        text = clause.text
        for m in _TARGET.finditer(text):
            value = _value(m["num"])
            if value is None:
                continue
            # Chinese numerals need a classifier unit (`五部`), not a bare `一` in running text.
            if not m["num"][0].isdigit() and m["unit"] in ("%", "人", "次", "天"):
                continue
            if m["unit"] == "年" or (
                m["num"].isdigit() and len(m["num"]) == 4 and m["unit"] in ("年",)
            ):
                continue
            prefix = _BOUNDARY.split(text[: m.start()])[-1]
            prefix = prefix[-16:]
            indicator = prefix.strip()
            post_noun = ""
            if len(indicator) < 2:
                # `新建提升4个口袋公园`: the indicator follows the figure.
                rest = _BOUNDARY.split(text[m.end() :])[0]
                post_noun = rest[:10]
            name = (indicator + post_noun) or m.group(0)
            key = _VERB_TAIL.sub("", _FILLER.sub("", name.replace("同比", ""))) or name
            if not re.search(r"[\u4e00-\u9fffA-Za-z]", key):
                continue
            phrase = text[m.start() - len(prefix) : m.end() + len(post_noun)].strip("，,；;。 ")
            out.append(
                Target(
                    indicator=name,
                    key=key,
                    text=phrase,
                    value=value,
                    unit=m["unit"],
                    qualifier=(m["pre"] or "")
                    + ("…" if m["pre"] and m["post"] else "")
                    + (m["post"] or ""),
                    node=clause.id,
                )
            )
    return out


def _change(old: Target, new: Target) -> str:
    if old.unit != new.unit:
        return "reworded"
    if new.value > old.value:
        return "raised"
    if new.value < old.value:
        return "lowered"
    return "unchanged" if old.qualifier == new.qualifier else "reworded"


def compare_targets(old: Document, new: Document, threshold: float = 70.0) -> list[TargetChange]:
    olds, news = extract_targets(old), extract_targets(new)
    changes: list[TargetChange] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    if olds and news:
        score = process.cdist(
            [t.key for t in olds], [t.key for t in news], scorer=fuzz.WRatio, dtype=np.float32
        )
        # Same unit is a strong hint that two figures measure the same thing.
        same_unit = np.array([[o.unit == n.unit for n in news] for o in olds], dtype=np.float32)
        score = score + 10 * same_unit
        rows, cols = linear_sum_assignment(-score)
        for r, c in zip(rows, cols, strict=True):
            if score[r, c] - 10 * same_unit[r, c] >= threshold:
                used_old.add(int(r))
                used_new.add(int(c))
                o, n = olds[r], news[c]
                changes.append(TargetChange(n.indicator, o, n, _change(o, n)))
    for i, o in enumerate(olds):
        if i not in used_old:
            changes.append(TargetChange(o.indicator, o, None, "dropped"))
    for j, n in enumerate(news):
        if j not in used_new:
            changes.append(TargetChange(n.indicator, None, n, "new"))
    return changes
