"""Words: jieba for Chinese, Latin words for English; numbers with their units stay whole.

Chinese is segmented by jieba-rs (rjieba), jieba's algorithm and dictionary compiled, loaded
on first use only (importing diffreport stays fast), with a user dictionary of policy terms
(`diffreport/data/policy_terms.txt`). :func:`keywords` is jieba.analyse's TF-IDF extractor
over jieba's own IDF table, which is cached under the user's cache folder split by first
character, so that a comparison loads only the part its text uses.
"""

from __future__ import annotations

import marshal
import os
import re
from collections import Counter
from functools import lru_cache
from itertools import chain
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
# The same without punctuation, for the content words, which drop it: the regex engine skips
# what no group matches, and findall hands back plain strings.
_WORD = re.compile(rf"({NUMBER.pattern})|([\u3400-\u4dbf\u4e00-\u9fff]+)|([A-Za-z][A-Za-z'’\-]*)")
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


_STORE_VERSION = "diffreport-chunks-1"


def _jieba_file(name: str) -> Path | None:
    """A data file of the jieba package, found without importing jieba."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    folders = (spec.submodule_search_locations or []) if spec else []
    return Path(folders[0]) / name if folders else None


def _stamp(source: Path | None) -> str:
    """Which version of ``source`` a cached table was built from."""
    try:
        stat = os.stat(source) if source else None
    except OSError:
        stat = None
    return f"{_STORE_VERSION}:{stat.st_size}:{stat.st_mtime_ns}" if stat else _STORE_VERSION


def _read_store(name: str, stamp: str) -> tuple[object, dict[str, bytes]] | None:
    try:
        version, meta, chunks = marshal.loads((_cache_dir() / name).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return (meta, chunks) if version == stamp else None


def _write_store(name: str, stamp: str, meta: object, table: dict) -> dict[str, bytes]:
    """Split ``table`` by the first character of its keys, each part marshalled on its own,
    and cache it: a comparison then loads only the parts for the characters its text uses."""
    parts: dict[str, dict] = {}
    for key, value in table.items():
        parts.setdefault(key[0], {})[key] = value
    chunks = {ch: marshal.dumps(part) for ch, part in parts.items()}
    cache = _cache_dir() / name
    try:
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps((stamp, meta, chunks)))
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only cache folder only costs time
    return chunks


class _Lazy:
    """A table loaded one first character at a time, from :func:`_write_store`'s chunks."""

    def __init__(self, table: dict, chunks: dict[str, bytes]) -> None:
        self.table = table
        self.chunks = chunks
        self.loaded: set[str] = set()

    def get(self, key: str, default=None):
        if key and key[0] not in self.loaded:
            self.loaded.add(key[0])
            chunk = self.chunks.get(key[0])
            if chunk is not None:
                self.table.update(marshal.loads(chunk))
        return self.table.get(key, default)


def _user_words() -> list[tuple[str, int | None, str | None]]:
    """The policy terms as (word, frequency, tag), parsed as ``jieba.load_userdict`` parses
    its format (`word [frequency] [tag]`; no frequency: jieba suggests one)."""
    out = []
    for line in (_DATA / "policy_terms.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(.+?)(?: ([0-9]+))?(?: ([a-z]+))?$", line.strip().lstrip("\ufeff"))
        if m:
            count = int(m.group(2)) if m.group(2) is not None else None
            out.append((m.group(1), count, m.group(3)))
    return out


@lru_cache(maxsize=1)
def _segmenter():
    """jieba's segmenter as jieba-rs implements it (the same dictionary, HMM and words as
    ``jieba.lcut(run, HMM=True)``, some fifteen times faster), with the policy terms added
    the way ``jieba.load_userdict`` adds them. It is rjieba's default instance: building a
    second one would load the dictionary twice."""
    import rjieba

    for word, count, tag in _user_words():
        rjieba.add_word(word, count, tag)
    return rjieba


# jieba's words by run of Chinese: units overlap, blocks contain sentences, phrases recur.
_RUNS: dict[str, tuple[str, ...]] = {}
_CONTENT_RUNS: dict[str, tuple[str, ...]] = {}
_RUNS_MAX = 1_000_000


def _cut_run(run: str) -> tuple[str, ...]:
    """jieba's words for one run of Chinese (cached)."""
    got = _RUNS.get(run)
    if got is None:
        if len(_RUNS) >= _RUNS_MAX:
            _RUNS.clear()
        got = _RUNS[run] = tuple(_segmenter().cut(run, True))
    return got


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
    return list(_content_words(fold(text)))


@lru_cache(maxsize=131072)
def _content_words(folded: str) -> tuple[str, ...]:
    # The words in order (numbers with their units, jieba's words, Latin words lowercased),
    # filtered as they come: a number is always kept (one character is a digit), a Chinese
    # word if longer than one character, an English word if longer and not a stop word.
    out: list[str] = []
    for num, cjk, latin in _WORD.findall(folded):
        if cjk:
            out.extend(_content_run(cjk))
        elif num:
            out.append(num.replace(" ", ""))
        else:
            word = latin.lower()
            if len(word) > 1 and word not in _STOP_LATIN:
                out.append(word)
    return tuple(out)


def _content_run(run: str) -> tuple[str, ...]:
    got = _CONTENT_RUNS.get(run)
    if got is None:
        if len(_CONTENT_RUNS) >= _RUNS_MAX:
            _CONTENT_RUNS.clear()
        got = _CONTENT_RUNS[run] = tuple(w for w in _cut_run(run) if len(w) > 1)
    return got


# jieba.analyse's default stop words (KeywordExtractor.STOP_WORDS).
_STOP_TFIDF = frozenset(
    "the of is and to in that we for an are by be as on with can if from which you it this "
    "then at have all not one has or".split()
)


@lru_cache(maxsize=1)
def _idf() -> tuple[_Lazy, float]:
    """jieba.analyse's IDF table (a mapping with ``get``, loaded lazily by first character)
    and its median, cached next to jieba's own cache: parsing the 6 MB text file takes most
    of a second."""
    source = _jieba_file(os.path.join("analyse", "idf.txt"))
    stamp = _stamp(source)
    store = _read_store("jieba-idf-chunks.cache", stamp)
    if store is not None:
        median, chunks = store
        return _Lazy({}, chunks), float(median)  # type: ignore[arg-type]
    if source is None:
        raise RuntimeError("jieba's IDF table (jieba/analyse/idf.txt) is not installed")
    table = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        word, value = line.strip().split(" ")
        table[word] = float(value)
    median = sorted(table.values())[len(table) // 2]
    chunks = _write_store("jieba-idf-chunks.cache", stamp, median, table)
    return _Lazy({}, chunks), median


# jieba.cut's `re_han_default`: the runs it segments; everything between them comes out one
# character (or one space) at a time, which TF-IDF drops as shorter than two characters.
_HAN = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")


def keywords(text: str, top: int) -> list[str]:
    """The ``top`` TF-IDF keywords of ``text``: the same words in the same order as
    ``jieba.analyse.TFIDF().extract_tags(text, topK=top)`` with our tokenizer."""
    # jieba.cut(text) segments each such run on its own, exactly as cutting the run alone.
    # Counts are whole numbers, so ints add up to the floats jieba adds; a Counter keeps
    # first-seen order, which decides ties as jieba's dict does.
    freq = Counter(chain.from_iterable(map(_tfidf_words, _HAN.findall(text))))
    if not freq:
        return []
    idf, median = _idf()
    total = float(sum(freq.values()))
    weight = {w: n * (idf.get(w, median) / total) for w, n in freq.items()}
    return sorted(weight, key=weight.__getitem__, reverse=True)[:top]


@lru_cache(maxsize=65536)
def _tfidf_words(run: str) -> tuple[str, ...]:
    return tuple(w for w in _cut_run(run) if len(w.strip()) >= 2 and w.lower() not in _STOP_TFIDF)
