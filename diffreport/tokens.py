"""Words: jieba for Chinese, Latin words for English; numbers with their units stay whole.

jieba is loaded on first use only (importing diffreport stays fast), quietly, with its prefix
dictionary cached under the user's cache folder so it is built once per machine, and with a
user dictionary of policy terms (`diffreport/data/policy_terms.txt`).
"""

from __future__ import annotations

import logging
import os
import re
from functools import lru_cache
from pathlib import Path

from .normalise import fold

_DATA = Path(__file__).parent / "data"

# A number with its unit or qualifier is one token: `4.5%`, `60万平方米`, `20项`, `2025年`.
_UNITS = "万亿千百十余多个家项座处亩所条件次名人户套场批类部万平方米公里千米平方米吨元%％倍年月日天"
NUMBER = re.compile(
    rf"\d+(?:[.,]\d+)*(?:\s?(?:万平方米|平方米|平方公里|万亿元|亿元|万元|万人|公里|千米|个百分点|[{_UNITS}]))?"
)
_TOKEN = re.compile(
    rf"(?P<num>{NUMBER.pattern})|(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff]+)|(?P<latin>[A-Za-z][A-Za-z'’\-]*)|(?P<other>\S)"
)
_STOP_LATIN = frozenset(
    "a an the of and or to in on for by with at as is are be been was were this that these those "
    "it its from shall will may must not no any all such which who whom than then there".split()
)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "diffreport"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        import tempfile

        path = Path(tempfile.gettempdir())
    return path


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(_cache_dir())
    tokenizer.initialize()
    user_dict = _DATA / "policy_terms.txt"
    if user_dict.exists():
        tokenizer.load_userdict(str(user_dict))
    return tokenizer


@lru_cache(maxsize=131072)
def tokenize(text: str) -> tuple[str, ...]:
    """The words of ``text`` in order, punctuation and spaces dropped."""
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "num":
            out.append(m.group().replace(" ", ""))
        elif kind == "cjk":
            out.extend(_jieba().lcut(m.group(), HMM=True))
        elif kind == "latin":
            out.append(m.group().lower())
    return tuple(out)


@lru_cache(maxsize=131072)
def display_tokens(text: str) -> tuple[str, ...]:
    """Tokens that concatenate back to ``text`` exactly (for inline diffs): spaces and
    punctuation are tokens of their own, numbers keep their units."""
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            out.append(text[pos : m.start()])
        if m.lastgroup == "cjk":
            out.extend(_jieba().lcut(m.group(), HMM=True))
        else:
            out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return tuple(out)


def content_words(text: str) -> list[str]:
    """Tokens that carry meaning: no single CJK function characters, no English stop words."""
    return [
        t
        for t in tokenize(fold(text))
        if (len(t) > 1 or t.isdigit()) and t not in _STOP_LATIN and not re.fullmatch(r"[\W_]+", t)
    ]
