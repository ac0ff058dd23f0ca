"""Words: jieba for Chinese, Latin words for English; numbers with their units stay whole.

jieba is loaded on first use only (importing diffreport stays fast), quietly, with its prefix
dictionary cached under the user's cache folder so it is built once per machine, and with a
user dictionary of policy terms (`diffreport/data/policy_terms.txt`). :func:`keywords` is
jieba.analyse's TF-IDF extractor without importing jieba.analyse (whose import alone loads
two large tables that the extractor never uses).
"""

from __future__ import annotations

import logging
import marshal
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
    # jieba reads its cache with marshal.load(file), which pulls the 9 MB through many small
    # reads; one read and marshal.loads is about three times faster. Same cache file, so a
    # missing or stale one is still built (and written) by jieba itself.
    cache = Path(tokenizer.tmp_dir) / "jieba.cache"
    try:
        tokenizer.FREQ, tokenizer.total = marshal.loads(cache.read_bytes())
        tokenizer.initialized = True
    except (OSError, EOFError, ValueError, TypeError):
        tokenizer.initialize()
    user_dict = _DATA / "policy_terms.txt"
    if user_dict.exists():
        tokenizer.load_userdict(str(user_dict))
    return tokenizer


@lru_cache(maxsize=262144)
def _cut_run(run: str) -> tuple[str, ...]:
    """jieba's words for one run of Chinese (cached: units overlap, blocks contain sentences,
    and the same phrases recur)."""
    return tuple(_jieba().lcut(run, HMM=True))


@lru_cache(maxsize=131072)
def tokenize(text: str) -> tuple[str, ...]:
    """The words of ``text`` in order, punctuation and spaces dropped."""
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "num":
            out.append(m.group().replace(" ", ""))
        elif kind == "cjk":
            out.extend(_cut_run(m.group()))
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
            out.extend(_cut_run(m.group()))
        else:
            out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return tuple(out)


def content_words(text: str) -> list[str]:
    """Tokens that carry meaning: no single CJK function characters, no English stop words."""
    # Every token holds a letter, a CJK character or a digit: no punctuation to filter.
    return [t for t in tokenize(fold(text)) if (len(t) > 1 or t.isdigit()) and t not in _STOP_LATIN]


# jieba.analyse's default stop words (KeywordExtractor.STOP_WORDS).
_STOP_TFIDF = frozenset(
    "the of is and to in that we for an are by be as on with can if from which you it this "
    "then at have all not one has or".split()
)


@lru_cache(maxsize=1)
def _idf() -> tuple[dict[str, float], float]:
    """jieba.analyse's IDF table and its median, cached as marshal next to jieba's own cache
    (parsing the 6 MB text file takes most of a second)."""
    import jieba

    source = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    cache = _cache_dir() / "jieba-idf.cache"
    try:
        if cache.stat().st_mtime >= source.stat().st_mtime:
            table, median = marshal.loads(cache.read_bytes())
            return table, median
    except (OSError, EOFError, ValueError, TypeError):
        pass
    table = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        word, value = line.strip().split(" ")
        table[word] = float(value)
    median = sorted(table.values())[len(table) // 2]
    try:
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps((table, median)))
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only cache folder only costs time
    return table, median


# jieba.cut's `re_han_default`: the runs it segments; everything between them comes out one
# character (or one space) at a time, which TF-IDF drops as shorter than two characters.
_HAN = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")


def keywords(text: str, top: int) -> list[str]:
    """The ``top`` TF-IDF keywords of ``text``: the same words in the same order as
    ``jieba.analyse.TFIDF().extract_tags(text, topK=top)`` with our tokenizer."""
    freq: dict[str, float] = {}
    for m in _HAN.finditer(text):
        # jieba.cut(text) segments each such run on its own, exactly as cutting the run alone.
        for w in _cut_run(m.group()):
            if len(w.strip()) < 2 or w.lower() in _STOP_TFIDF:
                continue
            freq[w] = freq.get(w, 0.0) + 1.0
    if not freq:
        return []
    idf, median = _idf()
    total = sum(freq.values())
    for k in freq:
        freq[k] *= idf.get(k, median) / total
    return sorted(freq, key=freq.__getitem__, reverse=True)[:top]
