"""Figures as written → value and unit (issue 11): every row must read right (100%).

Each row is a phrase as laws, plans and English terms write it, the value and unit as written
(`一百五十万元` is 150 `万元`, as `150万元` reads) and the amount in the unit figures are compared
in (元, days, months, %). Written by hand from the phrases, not from the tool's output.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffreport import figures
from diffreport.figures import read_figures, read_number

# phrase, value as written, unit as written, amount in the base unit, base unit
TABLE = [
    ("处十万元罚款", 10, "万元", 100_000, "元"),
    ("处二十万元罚款", 20, "万元", 200_000, "元"),
    ("处一百万元罚款", 100, "万元", 1_000_000, "元"),
    ("处一千万元罚款", 1000, "万元", 10_000_000, "元"),
    ("项目投资一百五十万元", 150, "万元", 1_500_000, "元"),
    ("项目投资一千二百万元", 1200, "万元", 12_000_000, "元"),
    ("项目投资三千万元", 3000, "万元", 30_000_000, "元"),
    ("项目投资一亿元", 1, "亿元", 100_000_000, "元"),
    ("内资到位额2.5亿元", 2.5, "亿元", 250_000_000, "元"),
    ("处罚款5万元", 5, "万元", 50_000, "元"),
    ("处罚款1.5万元", 1.5, "万元", 15_000, "元"),
    ("处罚款两万元", 2, "万元", 20_000, "元"),
    ("处罚款一万元", 1, "万元", 10_000, "元"),
    ("处罚款二千元", 2000, "元", 2000, "元"),
    ("处罚款五千元", 5000, "元", 5000, "元"),
    ("处罚款3千元", 3000, "元", 3000, "元"),
    ("处罚款一万五千元", 15_000, "元", 15_000, "元"),
    ("处罚款十二万五千元", 125_000, "元", 125_000, "元"),
    ("处罚款两百元", 200, "元", 200, "元"),
    ("处罚款1,000元", 1000, "元", 1000, "元"),
    ("处罚款五百万元以下", 500, "万元", 5_000_000, "元"),
    ("持股比例为百分之十五", 15, "%", 15, "%"),
    ("持股比例为百分之零点五", 0.5, "%", 0.5, "%"),
    ("持股比例达到百分之一百", 100, "%", 100, "%"),
    ("按日加收千分之五的滞纳金", 5, "‰", 0.5, "%"),
    ("增速回落零点五个百分点", 0.5, "个百分点", 0.5, "个百分点"),
    ("处违法所得二倍以上的罚款", 2, "倍", 2, "倍"),
    ("新建一百〇五个停车场", 105, "个", 105, "个"),
    ("新建一百零五家门店", 105, "家", 105, "家"),
    ("危险废物三吨以上", 3, "吨", 3, "吨"),
    ("林木死亡五十立方米以上", 50, "立方米", 50, "立方米"),
    ("占用耕地二十亩以上", 20, "亩", 20, "亩"),
    ("应当在十五日内火化", 15, "日", 15, "日"),
    ("应当在七日内答复", 7, "日", 7, "日"),
    ("公告期为三十日", 30, "日", 30, "日"),
    ("应当在三十个工作日内完成鉴定", 30, "个工作日", 30, "工作日"),
    ("会议召开十五日前通知各股东", 15, "日", 15, "日"),
    ("自受理之日起三个月内调解结束", 3, "个月", 3, "月"),
    ("学校应当在二十四小时内报告", 24, "小时", 1, "日"),
    ("超过两年无人认领的骨灰", 2, "年", 24, "月"),
    ("最短公示期为一年", 1, "年", 12, "月"),
    ("年满十八周岁", 18, "周岁", 18, "周岁"),
    ("notice must be given within sixty (60) days", 60, "days", 60, "day"),
    ("the licensee may cure within 30 days", 30, "days", 30, "day"),
    ("payment is due within thirty days", 30, "days", 30, "day"),
    ("the term is one (1) year", 1, "year", 12, "month"),
    ("a cure period of twenty-one days", 21, "days", 21, "day"),
    ("the fee is $100 per seat", 100, "$", 100, "$"),
    ("liability is capped at $5 million", 5_000_000, "$", 5_000_000, "$"),
    ("a late fee of 10 percent applies", 10, "percent", 10, "%"),
    ("interest accrues at 1.5% per month", 1.5, "%", 1.5, "%"),
]


@pytest.mark.parametrize(("phrase", "value", "unit", "amount", "base"), TABLE)
def test_written_figure_reads_as_value_and_unit(phrase, value, unit, amount, base):
    (figure,) = read_figures(phrase)
    assert (figure.value, figure.unit) == (pytest.approx(value), unit)
    got_amount, got_base = figures.amount(figure)
    assert (got_amount, got_base) == (pytest.approx(amount), base)


def test_the_table_is_large_enough():
    assert len(TABLE) >= 40


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("十万", 100_000),
        ("二十万", 200_000),
        ("一百五十万", 1_500_000),
        ("一千二百万", 12_000_000),
        ("两", 2),
        ("〇", 0),
        ("零点五", 0.5),
        ("2.5亿", 250_000_000),
        ("1,000", 1000),
        ("5万", 50_000),
        ("一百零五", 105),
        ("二〇二四", 2024),
    ],
)
def test_read_number(written, value):
    assert read_number(written) == pytest.approx(value)


@pytest.mark.parametrize("written", ["", "万", "新", "十十"])
def test_not_a_number(written):
    assert read_number(written) is None


@pytest.mark.parametrize(
    "phrase",
    [
        "2024年9月27日通过",  # a date
        "自1998年1月1日起施行",  # a date
        "二〇二四年修订",  # a year
        "依照本法第十五条的规定",  # an ordinal
        "第五次全国经济普查",  # an ordinal
        "这是关键一年",  # an idiom, no term
        "连续三年位列第一",  # a fact, not a term
        "深入开展三年行动",  # part of a name
        "按照上一年度销售额计算",  # 一年 inside 上一年度
        "打造一批示范项目",  # an idiom
    ],
)
def test_dates_ordinals_and_idioms_are_not_figures(phrase):
    assert read_figures(phrase) == []


def _cn2an_reads(text: str) -> float | None:
    import warnings

    import cn2an

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


_NUMERAL_CHARACTERS = "零〇一二两三四五六七八九十百千万亿"


def test_short_numerals_read_as_cn2an_reads_them():
    """Numerals below 100, numerals written as usual and texts of digits are read without
    cn2an (its import costs ~75 ms of a cold run); every string of up to four numeral
    characters reads as cn2an's smart mode reads it."""
    import itertools

    chars = _NUMERAL_CHARACTERS
    strings = ["".join(t) for n in (1, 2, 3, 4) for t in itertools.product(chars, repeat=n)]
    assert [read_number(s) for s in strings] == [_cn2an_reads(s) for s in strings]


@settings(max_examples=400, deadline=None)
@given(value=st.integers(0, 10**12 + 10**9), two=st.booleans())
def test_written_numerals_read_as_cn2an_reads_them(value, two):
    """Values as cn2an writes them (and as plans do: `两千` for `二千` when ``two``)."""
    import cn2an

    text = cn2an.an2cn(value)
    if two:
        text = re.sub("二(?=[十百千万亿])", "两", text)
    assert read_number(text) == _cn2an_reads(text)


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=_NUMERAL_CHARACTERS, min_size=5, max_size=12))
def test_long_numeral_strings_read_as_cn2an_reads_them(text):
    assert read_number(text) == _cn2an_reads(text)


def test_numerals_written_as_usual_need_no_cn2an():
    import subprocess
    import sys

    texts = [
        "一百零五",
        "三百三十八",
        "一千二百万",
        "十万零五",
        "两千",
        "一九三五",
        "二〇二四",
        "一两",
    ]
    code = (
        "import sys\nfrom diffreport.figures import read_number\n"
        f"print([read_number(t) for t in {texts!r}], 'cn2an' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == (
        "[105.0, 338.0, 12000000.0, 100005.0, 2000.0, 1935.0, 2024.0, 12.0] False"
    )


def test_comparing_the_seed_pair_needs_no_cn2an():
    import subprocess
    import sys

    from conftest import SEEDS

    code = (
        "import sys\nfrom diffreport.compare import compare\n"
        f"compare({str(SEEDS / 'nankai-2024-plan.txt')!r}, {str(SEEDS / 'nankai-2025-plan.txt')!r})\n"
        "print('cn2an' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
