"""Figures in text: `indicator + figure + unit + qualifier`, read as quantitative targets.

`地区生产总值同比增长4%以上` → indicator `地区生产总值同比增长`, value 4, unit `%`, qualifier `以上`;
`新建提升4个口袋公园` → indicator `口袋公园` (the noun after the figure names what is counted).

What is a figure: a number (Arabic, Chinese numerals read by ``cn2an``, or mixed: `2.5亿`,
`一千二百万`, `两`, `〇`, `零点五`) with a unit — money (`元`, `万元`, `亿元`), a duration or
deadline (`十五日内`, `三十个工作日`, `三个月`, `两年`, `二十四小时`), a ratio (`百分之十五` → 15 %,
`千分之五` → 5 ‰, `个百分点`, `倍`), an age (`周岁`) or a count (`个`, `家`, `项` …); in English,
`sixty (60) days`, `30 days`, `$100`, `10 percent`. A range (`二万元以上二十万元以下`, `1至3年`,
`不少于十日不超过三十日`, `between 30 and 60 days`) is one target with both bounds (`low`,
`high`). Dates (`2024年9月27日`), ordinals (`第五次`), numbers inside quoted slogans and titles
(`“十项行动”`) and idioms (`一批`) are not targets.

Values are kept as written (`一百五十万元` → 150 `万元`) and compared in a base unit (元, days,
months, %), so `2万元` equals `二万元` and `五千元` is less than `一万元`.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

from .model import Document, Node
from .normalise import CN_NUMERALS
from .result import Target
from .tokens import UNIT as _UNIT
from .tokens import UNITS, display_tokens

# Letters a scan put for digits inside a figure (`5万元以上lO万元以下`): l and I for 1, O for 0,
# when the run is all digits and such letters, not part of a word, and a unit follows.
_OCR_DIGITS = re.compile(rf"(?<![A-Za-z])[0-9lIO]*[lIO][0-9lIO]*(?=[万亿千百]*(?:{_UNIT}))")
_OCR_TO_DIGIT = str.maketrans("lIO", "110")
_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_NUMERAL = _CN_DIGITS + "十百千万亿"
# A number: Arabic (`1,000`, `2.5`) optionally followed by Chinese scales (`2.5亿`, `5万`), or
# Chinese numerals (`一百五十万`, `零点五`); starts with a digit or 十 (not with 百/千/万).
_NUM = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+(?![\d,])|\d+(?:\.\d+)?)[{_CN_NUMERAL}]*"
    rf"|[{_CN_DIGITS}十][{_CN_NUMERAL}]*(?:点[{_CN_DIGITS}]+)?"
)
# Where a number of :data:`_NUM` can start, also once :data:`_OCR_DIGITS` made it digits.
_NUMBER_START = re.compile(rf"[\dlIO{_CN_DIGITS}十]")
# Qualifiers that bound a figure from below or above; the others leave it exact.
_LOW_PRE = ["不少于", "不低于", "不得少于", "不得低于", "高于", "多于", "超过", "突破", "满", "逾"]
_HIGH_PRE = ["不超过", "不得超过", "不高于", "不多于", "不足", "不满", "少于", "低于", "控制在"]
_PRE_QUALIFIERS = [*_LOW_PRE, *_HIGH_PRE, "保持在", "约", "近"]
_LOW_POST = ["以上"]
_HIGH_POST = ["以下", "以内", "之内", "内"]
_POST_QUALIFIERS = [*_LOW_POST, *_HIGH_POST, "左右", "前"]
_PRE = "|".join(sorted(_PRE_QUALIFIERS, key=len, reverse=True))
_POST = "|".join(sorted(_POST_QUALIFIERS, key=len, reverse=True))
# `5万余户`: a scale before 余/多 multiplies the number (in `50万平方米` it belongs to the unit).
TARGET = re.compile(
    rf"(?P<pre>{_PRE})?(?:(?P<ratio>百分之|千分之)(?P<rnum>{_NUM})"
    rf"|(?P<num>{_NUM})\s?(?P<more>余|多)?\s?(?P<unit>{_UNIT}))(?P<post>{_POST})?"
)
# What every :data:`TARGET` match holds: a number's last character, at most three of `\s?(余|多)?
# \s?`, and a unit's first one (a ratio's `百分之` too: 百 is a numeral, 分 starts `分钟`).
# Searched first (a character class leads it, which the search skips along; TARGET's optional
# qualifier leads it): TARGET's search of the clauses with a number start at real-2m 23 ->
# 10-11 ms a document, at unrelated-1m 9-20 -> 5-7 (a third of them hold it, nearly all a figure).
FIGURE_HINT = re.compile(
    rf"[\d{_CN_NUMERAL}][\s余多]{{0,3}}[{re.escape(''.join(sorted({u[0] for u in UNITS})))}]"
)
# A range: `A以上B以下`, `不少于A不超过B`, `A至B` (A's unit may be left out: `五千以上一万元以下`,
# `二至五万元`). Validated in :func:`_range` (a connector alone does not make a range).
_RANGE = re.compile(
    rf"(?P<pre1>{'|'.join(_LOW_PRE)})?(?:(?P<ratio1>百分之|千分之)(?P<rnum1>{_NUM})"
    rf"|(?P<num1>{_NUM})\s?(?P<unit1>{_UNIT})?)"
    rf"(?P<mid>以上[，,、]?(?:且|并且)?|[，,、]?(?:且|并且)?|\s?(?:至|到|-|－|—|–|~|～)\s?)"
    rf"(?P<pre2>{'|'.join(_HIGH_PRE)})?(?:(?P<ratio2>百分之|千分之)(?P<rnum2>{_NUM})"
    rf"|(?P<num2>{_NUM})\s?(?P<unit2>{_UNIT}))(?P<post2>以下|以内|之内|内)?"
)
# Words that introduce a figure but are not part of the indicator's name.
_FILLER = re.compile(
    r"^(?:预计|全年|力争|确保|努力|实现|完成|全力|新增|累计|其中|年内|共|再|推动|推进|加快|协调)+"
)
_VERB_TAIL = re.compile(
    r"(?:同比|分别|预计|力争|达到|实现|保持|控制在|完成|突破|超过|不少于|不低于)+$"
)
# An article's label (or what slicing left of it) opens a clause but names nothing measured.
_LABEL_HEAD = re.compile(rf"^第?[{CN_NUMERALS}\d]*条(?:之[{CN_NUMERALS}]+)?\s+")
_PARENTHESIS = re.compile(r"（[^（）]*）|\([^()]*\)")
_BOUNDARY = re.compile(r"[，,；;。：:！？、（）()“”\"%]")
_POST_CUT = re.compile(r"[，,；;。：:！？、（）()“”\"及和与\d]")
_QUOTED = re.compile(r"[“\"「『《][^”\"」』》]*[”\"」』》]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_PHRASE_END = "，,；;。：:！？"
# Idioms with a Chinese numeral that count nothing: `一批`, `一件事`, `一公里`.
_IDIOM_UNITS = frozenset("批件")
# Units a Chinese numeral takes in idioms (`三人行`, `一次性`, `一天天`): a figure only when bounded.
_LOOSE_UNITS = frozenset(["人", "次", "天", "%"])
# After a year: a calendar date (`2024年9月`), a year of something (`年度`, `年级`, `年代`).
_NOT_DURATION_YEAR = re.compile(rf"^(?:[\d{_CN_NUMERAL}]+[月日]|[度级代初底末中])")
# What introduces a bare duration (no `内`, `以上` …) that is a term: `为三年`, `满`, `按`, `以`,
# `期限`, `之日起`, `每`; and what lists another after one (`4年、4年、3年`).
_DURATION_CUE = re.compile(r"(?:为|满|逾|按|以|期|限|起|后|经|每|需|需要|长达|延长|缩短)\s*$")
# Durations a plan uses loosely (`这一年`, `连续三年`, `三年行动`); a deadline in 日, 个月, 小时 or
# 工作日 is a term even without a cue (`五个工作日办结`).
_LOOSE_DURATIONS = frozenset(["年", "天"])
_LIST_SEPARATOR = re.compile(r"\s*(?:、|，|,|和|或者|或|及)\s*")
# A number of years at or above this is a calendar year (`1998年`), not a duration.
_FIRST_CALENDAR_YEAR = 1000

# English: `sixty (60) days`, `30 days`, `$100`, `10 percent`, `between 30 and 60 days`.
_EN_WORD = (
    "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety|hundred|thousand|million|billion"
)
_EN_NUM = (
    rf"(?:(?P<words>(?:{_EN_WORD})(?:[\s-]+(?:and[\s-]+)?(?:{_EN_WORD}))*)\s*"
    r"(?:\((?P<paren>\d[\d,]*(?:\.\d+)?)\))?|(?P<digits>\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:\.\d+)?))"
)
# Digits of an amount: thousands separators only between groups (`$1,000`), never the comma
# that ends the phrase (`$100, payable …`).
_EN_AMOUNT = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
_EN_UNITS = (
    r"(?:business|calendar|working)\s+days?|days?|weeks?|months?|years?|hours?|minutes?|"
    r"percent|per\s+cent|%"
)
_EN_LOW = r"at\s+least|no\s+less\s+than|not\s+less\s+than|no\s+fewer\s+than|not\s+fewer\s+than|more\s+than|over|exceeding"
_EN_HIGH = r"within|no\s+more\s+than|not\s+more\s+than|not\s+to\s+exceed|up\s+to|at\s+most|less\s+than|fewer\s+than|no\s+later\s+than"
_EN_TARGET = re.compile(
    rf"(?i)(?<![\w$])(?:(?P<pre>{_EN_LOW}|{_EN_HIGH}|about|approximately)\s+)?"
    rf"(?:(?:between\s+)?(?:(?P<lo>\$?{_EN_AMOUNT})\s*(?:and|to|-|–)\s*"
    rf"|(?P<lo_words>(?:{_EN_WORD})(?:[\s-]+(?:{_EN_WORD}))*)(?:\s*\(\d[\d,]*\))?\s+(?:and|to)\s+))?"
    rf"(?:(?P<money>(?:US)?\$|USD\s?|EUR\s?|€|£)\s?(?P<amount>{_EN_AMOUNT})"
    rf"(?:\s?(?P<scale>thousand|million|billion))?|{_EN_NUM}\s*(?P<unit>{_EN_UNITS})(?![A-Za-z]))"
    rf"(?:\s+(?P<post>or\s+more|or\s+less|or\s+fewer|or\s+longer))?"
)
_EN_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
# What every :data:`_EN_TARGET` match holds (its unit or its money, matched alike: `(?i)`): a
# text without any holds no English figure, and is not searched for one (~6 in 7 English
# clauses at real-2m; the search was ~30 ms a document there).
_EN_UNIT_OR_MONEY = re.compile(
    r"(?i)day|week|month|year|hour|minute|percent|per\s+cent|%|\$|usd|eur|€|£"
)
_EN_CONJUNCTION = re.compile(r"(?i)^(?:or|and|but|nor)\b\s*|\s*\b(?:or|and)$")
# An English figure is named by at most this many words before it (its indicator) and after it.
EN_NAME_BEFORE_WORDS = 6
EN_NAME_AFTER_WORDS = 5
_EN_TAIL_WORDS = re.compile(rf"(?:[ \t]*[^\s,;:.()\[\]]+){{0,{EN_NAME_AFTER_WORDS}}}")
_EN_CUT = re.compile(r"[,;:.()\[\]]")
_EN_QUALIFIER_TAIL = re.compile(rf"(?i)\s*(?:{_EN_LOW}|{_EN_HIGH}|of|for|a|the|between)\s*$")

# Comparable measure: unit as written → (base unit, factor). A unit not listed is its own base;
# a scale in front of a listed unit (`万平方米`, `万户`) multiplies it.
_BASE: dict[str, tuple[str, float]] = {
    "元": ("元", 1), "千元": ("元", 1e3), "万元": ("元", 1e4), "亿元": ("元", 1e8),
    "万亿元": ("元", 1e12), "美元": ("美元", 1), "万美元": ("美元", 1e4), "亿美元": ("美元", 1e8),
    "日": ("日", 1), "天": ("日", 1), "小时": ("日", 1 / 24), "分钟": ("日", 1 / 1440),
    "个月": ("月", 1), "年": ("月", 12), "个工作日": ("工作日", 1), "工作日": ("工作日", 1),
    "‰": ("%", 0.1), "千米": ("公里", 1),
    "day": ("day", 1), "calendar day": ("day", 1), "week": ("day", 7), "hour": ("day", 1 / 24),
    "minute": ("day", 1 / 1440), "month": ("month", 1), "year": ("month", 12),
    "business day": ("business day", 1), "working day": ("business day", 1),
    "percent": ("%", 1), "per cent": ("%", 1),
}  # fmt: skip
_SCALE_PREFIX = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3}
_MONEY = frozenset(["元", "美元", "$", "USD", "EUR", "€", "£"])
_TIME = frozenset(["日", "月", "工作日", "day", "month", "business day"])
# Classifiers that only count things: `417个混接点` → `300余处混接点` is a lower count.
COUNTERS = frozenset("个家项座处所条部户套场名件张辆台栋间")


def base_unit(unit: str) -> tuple[str, float]:
    """The unit figures of ``unit`` are compared in, and the factor to it: `万元` → (`元`,
    10000), `年` → (`月`, 12), `days` → (`day`, 1), `个` → (`个`, 1)."""
    if unit in _BASE:
        return _BASE[unit]
    word = re.sub(r"\s+", " ", unit.lower())
    if word in _BASE or (word.endswith("s") and word[:-1] in _BASE):
        return _BASE[word if word in _BASE else word[:-1]]
    for prefix, factor in _SCALE_PREFIX.items():
        if unit.startswith(prefix) and len(unit) > len(prefix):
            base, f = base_unit(unit[len(prefix) :])
            return base, factor * f
    return unit, 1.0


def amount(target: Target) -> tuple[float | None, str]:
    """The value in the base unit: `二十万元` → (200000, `元`), `两年` → (24, `月`)."""
    base, factor = base_unit(target.unit)
    return (target.value * factor if target.value is not None else None), base


def bounds(target: Target) -> tuple[float | None, float | None]:
    """(lower, upper) in the base unit; an exact figure is both."""
    if target.value is None:
        return None, None
    factor = base_unit(target.unit)[1]
    if target.low is None and target.high is None:
        return target.value * factor, target.value * factor
    low = target.low * factor if target.low is not None else None
    high = target.high * factor if target.high is not None else None
    return low, high


def unit_kind(unit: str) -> str:
    """What a unit measures, for pairing: money, time, a ratio, a count, or the unit itself."""
    base = base_unit(unit)[0]
    if base in _MONEY:
        return "money"
    if base in _TIME:
        return "time"
    if base in ("%", "个百分点"):
        return "ratio"
    if base in COUNTERS:
        return "count"
    return base


def read_number(text: str) -> float | None:
    """The value of a written number: `十万` → 100000, `一千二百万` → 12000000, `两` → 2,
    `〇` → 0, `零点五` → 0.5, `2.5亿` → 250000000, `1,000` → 1000; None if it is not one.
    Chinese numerals and mixed forms are read by ``cn2an`` (its `smart` mode)."""
    s = text.replace(",", "").strip()
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        pass
    return _cn2an(s)


_DIGIT_NAMES = "零一二三四五六七八九"
_DIGIT_VALUE = {ch: i for i, ch in enumerate(_DIGIT_NAMES)} | {"〇": 0, "两": 2}
# The numerals below 100 (`五`, `十二`, `三十`, `四十七`): most that documents write. Read here,
# they spare importing cn2an, which compiles its patterns for ~75 ms CPU (the seed pair's
# only numerals are such). tests/test_targets.py checks every string this matches against
# cn2an's reading.
_BELOW_HUNDRED = re.compile(
    r"([一二三四五六七八九])?十([一二三四五六七八九])?|([零〇一二两三四五六七八九])"
)


def _below_hundred(text: str) -> float | None:
    m = _BELOW_HUNDRED.fullmatch(text)
    if m is None:
        return None
    tens, ones, digit = m.groups()
    if digit:
        return float(_DIGIT_VALUE[digit])
    return float(10 * (_DIGIT_VALUE[tens] if tens else 1) + (_DIGIT_VALUE[ones] if ones else 0))


# Numerals written as a text's digits (`一九三五`, `二〇二四`, `一两`: cn2an's smart mode reads
# them so), `两` for `二` before a unit (`两千`), and the units within a section of four digits.
_DIGIT_STRING = re.compile(r"[一二两三四五六七八九][零〇一二两三四五六七八九]+")
_TWO_BEFORE_UNIT = re.compile(r"两(?=[十百千万亿])")
_SMALL_UNITS = {"千": 1000, "百": 100, "十": 10}
# Numerals read without cn2an stay below this (four digits before 亿); larger ones (`一万亿`)
# are left to it.
STANDARD_NUMERALS_BELOW = 10**12


def _standard_numeral(text: str) -> float | None:
    """The value of a numeral as :func:`_written` writes its value (`一百零五`, `三百三十八`,
    `一千二百万`, `十万零五`; `两千` as `二千`), or of a text of digits (`一九三五`); None for any
    other text, left to cn2an. cn2an's smart mode reads these the same (tests/test_numerals.py:
    every text of up to four numeral characters, written values up to 10^12); read here, the
    documents' numerals spare its import (~75-85 ms of the side child's CPU at real-1m,
    real-2m and unrelated-1m, whose numerals all read so)."""
    if _DIGIT_STRING.fullmatch(text):
        return float("".join(str(_DIGIT_VALUE[ch]) for ch in text))
    written = _TWO_BEFORE_UNIT.sub("二", text)
    total = section = 0
    digit: int | None = None
    for ch in written:
        if ch in "零〇":  # (a gap before the next digit: `一百零五`)
            if digit is not None:
                return None
        elif ch in _DIGIT_VALUE:
            if digit is not None:
                return None
            digit = _DIGIT_VALUE[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10**4
            section, digit = 0, None
        elif ch == "亿":
            total = (total + section + (digit or 0)) * 10**8
            section, digit = 0, None
        else:
            return None
    value = total + section + (digit or 0)
    if value >= STANDARD_NUMERALS_BELOW or _written(value) != written:
        return None
    return float(value)


def _written(value: int) -> str:
    """``value`` (below 10^12) as a Chinese numeral in the usual way: `一百零五`, `十万零五`,
    `一亿零五百万`, `二十`, `一百一十`."""
    if value == 0:
        return "零"
    out: list[str] = []
    gap = False  # a section of zeros since the last one written
    for section, unit in (
        (value // 10**8, "亿"),
        (value // 10**4 % 10**4, "万"),
        (value % 10**4, ""),
    ):
        if not section:
            gap = gap or bool(out)
            continue
        if out and (gap or section < 1000):
            out.append("零")  # `一亿零五百万`, `十万零五`
        gap = False
        out.append(_section_written(section, lead=not out) + unit)
    return "".join(out)


def _section_written(section: int, lead: bool) -> str:
    """A section of four digits (1-9999) as :func:`_written` writes it; ``lead``: it opens the
    numeral (`十五`, not `一十五`)."""
    out: list[str] = []
    zero = False  # a zero digit since the last one written
    for size, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = section // size % 10
        if not digit:
            zero = True
            continue
        if zero and out:
            out.append("零")  # `一百零五`, `一千零一十`
        zero = False
        out.append(
            "十" if (size, digit) == (10, 1) and lead and not out else _DIGIT_NAMES[digit] + name
        )
    return "".join(out)


@lru_cache(maxsize=4096)
def _cn2an(text: str) -> float | None:
    small = _below_hundred(text)
    if small is None:
        small = _standard_numeral(text)
    if small is not None:
        return small
    import cn2an  # imported on first use: some 75 ms, only documents with larger numerals

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)


def chinese_to_number(text: str) -> float | None:
    """`二十` → 20, `五` → 5, `一百零五` → 105, `十万` → 100000; None if ``text`` is not a
    Chinese numeral."""
    if not text or any(ch not in _CN_NUMERAL + "点" for ch in text):
        return None
    return read_number(text)


def _english_number(text: str) -> float | None:
    from text_to_num import text2num  # imported on first use (English documents only)

    words = re.sub(r"[\s-]+(?:and[\s-]+)?", " ", text.strip().lower())
    try:
        return float(text2num(words, "en"))
    except ValueError:
        return None


def _in_quotes(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTED.finditer(text)]


# How much of the phrase around a figure may name it: enough for `规模以上工业增加值同比增长`,
# cut at a word boundary so a name is never a fragment (`市场份额`, not `市场份`).
NAME_BEFORE_CHARS = 18
NAME_AFTER_CHARS = 12
# A noun after the figure names it when it has this many Chinese characters (`个口袋公园`).
COUNTED_NOUN_CHARS = 2
# An unlabelled, untitled block outside any section is named by its opening this long.
BLOCK_OPENING_CHARS = 20


def _last_words(phrase: str, limit: int) -> str:
    """The whole words that end ``phrase``, at most ``limit`` characters (one word at least)."""
    if len(phrase) <= limit:
        return phrase
    words = display_tokens(phrase[-(2 * limit) :])
    kept = 0
    for i in range(len(words) - 1, -1, -1):
        if kept + len(words[i]) > limit and kept:
            return "".join(words[i + 1 :])
        kept += len(words[i])
    return "".join(words)


def _first_words(phrase: str, limit: int) -> str:
    """The whole words that open ``phrase``, at most ``limit`` characters (one word at least)."""
    if len(phrase) <= limit:
        return phrase
    words = display_tokens(phrase[: 2 * limit])
    kept = 0
    for i, w in enumerate(words):
        if kept + len(w) > limit and kept:
            return "".join(words[:i])
        kept += len(w)
    return "".join(words)


def _indicator(
    text: str, start: int, end: int, unit: str, after_figure: int
) -> tuple[str, str, str]:
    """(indicator, words before, words after) for the figure at ``text[start:end]``; the words
    before start after the previous figure (``after_figure``): `…300亩及进步广场等载体30万平方米`."""
    # `副部长（副主任、副行长）二至四人`: what a parenthesis adds does not cut off the name
    head = _PARENTHESIS.sub("", text[after_figure:start])
    segments = _BOUNDARY.split(head)
    before = _LABEL_HEAD.sub("", _last_words(segments[-1], NAME_BEFORE_CHARS).strip())
    after = _first_words(_POST_CUT.split(text[end:])[0], NAME_AFTER_CHARS).strip()
    rest = text[end:].lstrip()
    alone = not rest or rest[0] in _PHRASE_END  # the figure is all its phrase says
    if alone and not _WORD.search(before) and len(segments) > 1 and head[-1:] in "，,":
        # `专业技术七级以上岗位的，50周岁；`: a figure that is a phrase of its own is named by
        # the phrase before it (the item's condition), the comma kept as written.
        named = _LABEL_HEAD.sub("", _last_words(segments[-2], NAME_BEFORE_CHARS).strip())
        if _WORD.search(named):
            before = named + head[-1]
    # `新建提升4个口袋公园`: a counted noun after the figure names the indicator; a percentage
    # or a figure that ends the phrase belongs to the words before it.
    counted = len(_CJK.findall(after)) >= COUNTED_NOUN_CHARS
    if unit not in ("%", "个百分点") and counted:
        return after.removeprefix("的") or after, before, after  # `…以下的罚款`: `罚款`
    name = before.rsplit("等", 1)[-1] if "等" in before[:-1] else before
    name = name.rstrip("，,")
    name = _VERB_TAIL.sub("", name) or name
    return name, before, after if counted else ""


def block_label(doc: Document, block: Node | None) -> str:
    """How a reader finds a block: its label (`第十二条`), its title (a priority's lead
    phrase), its section's heading, or its opening words."""
    if block is None:
        return ""
    if block.label or block.title:
        return block.label or block.title
    section = doc.section_of(block.id)
    if section is not None:
        return section.title or section.text
    opening = block.text[:BLOCK_OPENING_CHARS]
    return opening + ("…" if len(block.text) > BLOCK_OPENING_CHARS else "")


def extract_targets(doc: Document) -> list[Target]:
    """Every figure with a unit in the document's clauses, with what it measures and where."""
    out: list[Target] = []
    read: dict[str, list[_Figure]] = {}  # a long code repeats clauses: each text read once
    labels: dict[str, tuple[str, str]] = {}
    for clause in doc.of_kind("clause"):
        figures = read.get(clause.text)
        if figures is None:
            figures = read[clause.text] = _figures(clause.text)
        if not figures:
            continue
        block = doc.block_of(clause.id)
        if block is not None and block.role == "front":
            continue  # the title and enactment history: dates and issue numbers, no targets
        bid = block.id if block else ""
        if bid not in labels:
            labels[bid] = (bid, block_label(doc, block))
        out.extend(
            Target(
                *f[:6],
                node=clause.id,
                low=f[6],
                high=f[7],
                block=bid,
                block_label=labels[bid][1],
                figure=f[8],
            )
            for f in figures
        )
    return out


def read_figures(text: str) -> list[Target]:
    """The figures of one clause's text, as :func:`extract_targets` reads them (no node)."""
    return [Target(*f[:6], node="", low=f[6], high=f[7], figure=f[8]) for f in _figures(text)]


# A figure as found in a clause's text: indicator, key, text, value, unit, qualifier, low, high.
_Figure = tuple[str, str, str, float, str, str, float | None, float | None, str]


# A figure's place and reading, before its indicator: start, end, value, unit, qualifier, low, high.
_Found = tuple[int, int, float, str, str, float | None, float | None]


def _figures(text: str) -> list[_Figure]:
    if not _CJK.search(text):
        if re.search(r"[A-Za-z]", text) and _EN_UNIT_OR_MONEY.search(text):
            return english_figures(text)
        return []
    if not _NUMBER_START.search(text):
        return []  # most clauses: no number, so no figure
    shown = text
    if "l" in text or "I" in text or "O" in text:  # (what _OCR_DIGITS reads as digits)
        text = _OCR_DIGITS.sub(lambda m: m.group().translate(_OCR_TO_DIGIT), text)  # same length
    if not FIGURE_HINT.search(text) or not TARGET.search(text):
        return []  # (a range ends with a figure :data:`TARGET` finds)
    found: list[_Found] = []
    quotes = _in_quotes(text)
    pos = 0
    while (m := _RANGE.search(text, pos)) is not None:
        figure = _range(text, m, quotes)
        if figure is not None:
            found.append(figure)
        pos = m.end() if figure is not None else m.start() + 1  # `二千元、二万元以上…`
    ranges = list(found)
    for m in TARGET.finditer(text):
        if any(f[0] <= m.start() < f[1] or f[0] < m.end() <= f[1] for f in ranges):
            continue
        figure = _single(text, m, quotes)
        if figure is not None:
            found.append(figure)
    found.sort()
    out: list[_Figure] = []
    kept_end = -1
    for i, (start, end, value, unit, qualifier, low, high) in enumerate(found):
        after_figure = found[i - 1][1] if i else 0
        if not qualifier and unit in _LOOSE_DURATIONS:
            # `期限为三年`, `按二十年计算`, `分别为4年、4年、3年` are terms; `这一年`, `连续三年`,
            # `三年行动` are not.
            head = text[max(kept_end, 0) : start]
            listed = kept_end >= 0 and _LIST_SEPARATOR.fullmatch(head)
            if not (listed or _DURATION_CUE.search(head)):
                continue
        listed = (
            out and kept_end == after_figure and _LIST_SEPARATOR.fullmatch(text[kept_end:start])
        )
        kept_end = end
        figure = _with_indicator(text, start, end, after_figure, value, unit, qualifier, low, high)
        if figure is not None and shown is not text:
            figure = (
                *figure[:2],
                figure[2].replace(text[start:end], shown[start:end]),
                *figure[3:8],
                shown[start:end],
            )
        if figure is None and listed:
            # `分别为4年、4年、3年`: a figure listed after another shares its indicator.
            name, key = out[-1][0], out[-1][1]
            figure = (
                name,
                key,
                shown[start:end],
                value,
                unit,
                qualifier,
                low,
                high,
                shown[start:end],
            )
        if figure is not None:
            out.append(figure)
    return out


def _number_and_unit(num: str, unit: str) -> tuple[float | None, str]:
    """The value and unit as written: a scale that ends the number joins a unit that has a
    scaled form (`一百五十万` + `元` → 150 `万元`, as `150万元` reads); otherwise it multiplies
    (`十二万五千` + `元` → 125000 `元`)."""
    for prefix in ("万亿", "亿", "万"):
        if num.endswith(prefix) and len(num) > len(prefix) and prefix + unit in UNITS:
            return read_number(num[: -len(prefix)]), prefix + unit
    return read_number(num), unit


def _is_date(text: str, start: int, end: int, value: float, unit: str) -> bool:
    """`1998年`, `2024年9月27日`, `9月27日`: a calendar date, not a duration."""
    if unit == "年":
        return value >= _FIRST_CALENDAR_YEAR or bool(_NOT_DURATION_YEAR.match(text[end:]))
    if unit in ("日", "天"):
        return start > 0 and text[start - 1] == "月"
    return False


def _excluded(text: str, start: int, num: str, quotes: list[tuple[int, int]]) -> bool:
    if start > 0 and (text[start - 1] in "第." or text[start - 1].isdigit()):
        return True  # an ordinal or a section number: `第五次`, `第十八条`, `1.2`
    if start > 0 and text[start - 1] in _CN_NUMERAL and not num[0].isdigit():
        return True  # inside a longer numeral the pattern did not take
    return any(a <= start < b for a, b in quotes)  # a slogan or a title: `“十项行动”`


def _single(text: str, m: re.Match, quotes: list[tuple[int, int]]) -> _Found | None:
    pre, post = m["pre"] or "", m["post"] or ""
    if m["ratio"]:
        num, unit = m["rnum"], ("%" if m["ratio"] == "百分之" else "‰")
        value, start = read_number(num), m.start("ratio")
    else:
        num, start = m["num"], m.start("num")
        value, unit = _number_and_unit(num, m["unit"])
        if m["more"] and value is not None and unit != m["unit"]:
            value, unit = value * base_unit(unit)[1], m["unit"]  # `5万余户`: 50000 户
    if value is None or _excluded(text, start, num, quotes):
        return None
    end = m.end()
    if post in ("内", "前") and base_unit(unit)[0] not in _TIME:
        post, end = "", m.end("unit")  # `10家内资企业`: 内 begins the next word
    if _is_date(text, start, end, value, unit):
        return None
    bounded = bool(pre or post) and (pre, post) not in (("约", ""), ("近", ""), ("", "左右"))
    if not num[0].isdigit() and not m["ratio"]:
        # Chinese numerals need a real classifier: not `一批`, `一件事`, a bare `一`.
        if unit in _IDIOM_UNITS or (unit in _LOOSE_UNITS and not bounded):
            return None
        if num == "一" and not bounded and unit_kind(unit) not in ("time", "money"):
            return None
    low = value if pre in _LOW_PRE or post in _LOW_POST else None
    high = value if pre in _HIGH_PRE or post in _HIGH_POST else None
    qualifier = pre + ("…" if pre and post else "") + post
    if m["more"]:
        qualifier = qualifier or m["more"]
        low = value
    return (m.start(), end, value, unit, qualifier, low, high)


def _range(text: str, m: re.Match, quotes: list[tuple[int, int]]) -> _Found | None:
    """`二万元以上二十万元以下` → one figure with both bounds; None unless ``m`` is a range."""
    mid = m["mid"].strip()
    dash = bool(mid) and mid[-1] in "至到-－—–~～"
    if not (
        (mid.startswith("以上") and (m["post2"] or m["pre2"]))
        or (m["pre1"] and m["pre2"])
        or (dash and not m["pre1"] and not m["pre2"])
    ):
        return None
    num1 = m["rnum1"] or m["num1"]
    num2 = m["rnum2"] or m["num2"]
    if bool(m["ratio1"]) != bool(m["ratio2"]) and m["ratio1"]:
        return None
    if m["ratio2"]:
        unit = "%" if m["ratio2"] == "百分之" else "‰"
        high, low = read_number(num2), read_number(num1)
    else:
        high, unit = _number_and_unit(num2, m["unit2"])
        low, unit1 = _number_and_unit(num1, m["unit1"] or unit)
        if not m["unit1"] and low is not None and high is not None and low > high:
            # `五千以上一万元以下`: 5000 元 (`二至五万元`: 2 万元, as the high bound's unit reads)
            low, unit1 = read_number(num1), base_unit(unit)[0]
        if low is not None and high is not None and unit1 != unit:
            (base, f1), f2 = base_unit(unit1), base_unit(unit)[1]
            if base != base_unit(unit)[0]:
                return None  # `3日至5年`: two measures, not one range
            low, high, unit = low * f1, high * f2, base  # both in the base unit
    start1 = m.start("ratio1") if m["ratio1"] else m.start("num1")
    start2 = m.start("ratio2") if m["ratio2"] else m.start("num2")
    if low is None or high is None or low > high:
        return None
    if _excluded(text, start1, num1, quotes) or _excluded(text, start2, num2, quotes):
        return None
    if _is_date(text, start1, m.start("mid"), low, unit) or _is_date(
        text, start2, m.end(), high, unit
    ):
        return None
    if num1[0] not in "0123456789" and unit in _IDIOM_UNITS:
        return None
    qualifier = (m["pre1"] or "") + ("以上" if mid.startswith("以上") else "")
    qualifier += ("至" if dash else "") + "…" + (m["pre2"] or "") + (m["post2"] or "")
    return (m.start(), m.end(), low, unit, qualifier, low, high)


def _with_indicator(
    text: str,
    start: int,
    end: int,
    after_figure: int,
    value: float,
    unit: str,
    qualifier: str,
    low: float | None,
    high: float | None,
) -> _Figure | None:
    name, before, after = _indicator(text, start, end, unit, after_figure)
    key = _VERB_TAIL.sub("", _FILLER.sub("", name.replace("同比", ""))) or name
    if not re.search(r"[\u4e00-\u9fffA-Za-z]", key):
        return None
    phrase = (text[_raw_start(text, start, before) : end] + after).strip("，,；;。 ")
    return (name, key, phrase, value, unit, qualifier, low, high, text[start:end])


def _raw_start(text: str, start: int, before: str) -> int:
    """Where ``before`` (the words before a figure, parentheses left out) starts in ``text``:
    the phrase shows them as written, `副部长（副主任、副行长）二至四人`."""
    i, j, depth = start, len(before), 0
    while j > 0 and i > 0:
        ch = text[i - 1]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            depth -= 1
        elif depth <= 0 and ch == before[j - 1]:
            j -= 1
        elif depth <= 0 and not ch.isspace():
            break
        i -= 1
    return i


def english_figures(text: str) -> list[_Figure]:
    """The figures of an English clause's text (:data:`_EN_TARGET`), as
    :func:`extract_targets` reads them."""
    out: list[_Figure] = []
    previous_end = 0
    for m in _EN_TARGET.finditer(text):
        if m["money"]:
            value = read_number(m["amount"])
            if value is not None and m["scale"]:
                value *= _EN_SCALES[m["scale"].lower()]
            unit = "$" if "$" in m["money"] else m["money"].strip()
        else:
            unit = re.sub(r"\s+", " ", m["unit"].lower())
            if m["paren"]:
                value = read_number(m["paren"])  # `sixty (60) days`: the digits are binding
            elif m["digits"]:
                value = read_number(m["digits"])
            else:
                value = _english_number(m["words"])
        if value is None:
            continue
        low = high = None
        pre = (m["pre"] or "").lower()
        pre = re.sub(r"\s+", " ", pre)
        post = re.sub(r"\s+", " ", (m["post"] or "").lower())
        if m["lo"] or m["lo_words"]:
            lo = (m["lo"] or m["lo_words"]).lstrip("$")
            low = read_number(lo) if lo[0].isdigit() else _english_number(lo)
            if low is None or low > value:
                continue
            high = value
            qualifier = "between" if m.group(0).lower().lstrip().startswith("between") else "to"
            value = low
        else:
            if re.fullmatch(_EN_LOW, pre) or post == "or more" or post == "or longer":
                low = value
            if re.fullmatch(_EN_HIGH, pre) or post in ("or less", "or fewer"):
                high = value
            qualifier = " ".join(q for q in (pre, post) if q)
        head = _EN_CUT.split(text[previous_end : m.start()])[-1]
        previous_end = m.end()
        before = " ".join(_EN_QUALIFIER_TAIL.sub("", head).split()[-EN_NAME_BEFORE_WORDS:])
        before = _EN_CONJUNCTION.sub("", before)
        after = " ".join(_EN_CUT.split(text[m.end() :])[0].split()[:EN_NAME_AFTER_WORDS])
        name = before or after
        if not re.search(r"[A-Za-z]", name):
            continue
        # The phrase as written, from the indicator's first word to the words after the figure.
        first = text.find(before.split()[0], m.start() - len(head), m.start()) if before else -1
        tail = _EN_TAIL_WORDS.match(text, m.end())
        phrase = text[first if first >= 0 else m.start() : tail.end() if tail else m.end()]
        phrase = " ".join(phrase.split())
        figure = m.group(0).strip()
        out.append((name, name.lower(), phrase, value, unit, qualifier, low, high, figure))
    return out
