"""One list of units (``tokens.UNITS``): a number keeps its whole unit as one word, and the
figures read from the same phrases are what they were when targets had a list of its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from diffreport import figures
from diffreport.tokens import NUMBER, UNIT, UNITS, content_words, display_tokens

# (phrase, its words for the inline diffs, the figure targets read: as written, value, unit)
PHRASES = [
    ("采购5公斤大米", ("采购", "5公斤", "大米"), ("5公斤", 5.0, "公斤")),
    ("期限为12个月", ("期限", "为", "12个月"), ("12个月", 12.0, "个月")),
    ("罚款5千元", ("罚款", "5千元"), ("5千元", 5000.0, "元")),
    ("新增设备500台", ("新增", "设备", "500台"), ("500台", 500.0, "台")),
    ("每日工作不超过3小时", ("每日", "工作", "不", "超过", "3小时"), ("不超过3小时", 3.0, "小时")),
    ("年满18周岁", ("年满", "18周岁"), ("满18周岁", 18.0, "周岁")),
    ("投资2.5亿元以上", ("投资", "2.5亿元", "以上"), ("2.5亿元以上", 2.5, "亿元")),
    ("增长百分之十五", ("增长", "百分之十五"), ("百分之十五", 15.0, "%")),
]


@pytest.mark.parametrize(("phrase", "words", "figure"), PHRASES)
def test_a_number_keeps_its_whole_unit(phrase, words, figure):
    assert display_tokens(phrase) == words
    assert "".join(display_tokens(phrase)) == phrase
    assert content_words(phrase) == [w for w in words if len(w) > 1 and w != "不"]
    found = figures.read_figures(phrase)
    assert [(t.figure, t.value, t.unit) for t in found] == [figure]


def test_a_space_a_scale_and_about_stay_on_the_number():
    assert display_tokens("新增500 台") == ("新增", "500 台")
    assert content_words("新增500 台") == ["新增", "500台"]
    assert display_tokens("惠及5万余户") == ("惠及", "5万余户")
    assert display_tokens("2025年3月5日") == ("2025年", "3月", "5日")
    assert display_tokens("4.5%的增速") == ("4.5%", "的", "增速")


def test_every_unit_is_one_word_with_its_number():
    # Longest first: a unit that starts another (个/个月, 千/千元, 公里/公) never cuts it.
    for unit in UNITS:
        assert NUMBER.fullmatch(f"7{unit}"), unit
        assert re.fullmatch(UNIT, unit)
    alternatives = UNIT.split("|")
    assert [len(u) for u in alternatives] == sorted(map(len, alternatives), reverse=True)


def test_no_other_unit_list():
    # figures and terms spell no unit of their own: they build on tokens.UNIT.
    assert figures.UNITS is UNITS
    package = Path(figures.__file__).parent
    for path in package.rglob("*.py"):
        if path.name == "tokens.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and id(node) not in docstrings:
                assert "周岁" not in str(node.value), path.name
