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


_STORE_VERSION = "diffreport-chunks-1"


def _import_jieba():
    """``import jieba`` without its ``import pkg_resources`` (a fifth of a second, only to
    locate its own files: when that import fails, jieba opens them by path)."""
    import sys

    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
    else:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
        try:
            import jieba
        finally:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


def _stamp(source: str) -> str:
    """Which version of jieba's ``source`` file a cached table was built from."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    try:
        folder = (spec.submodule_search_locations or [""])[0] if spec else ""
        stat = os.stat(os.path.join(folder, source))
    except OSError:
        return _STORE_VERSION
    return f"{_STORE_VERSION}:{stat.st_size}:{stat.st_mtime_ns}"


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

    def need(self, text: str) -> set[str]:
        """Load the parts for the characters of ``text``; return the characters just loaded."""
        missing = set(text) - self.loaded
        for ch in missing:
            chunk = self.chunks.get(ch)
            if chunk is not None:
                self.table.update(marshal.loads(chunk))
        self.loaded |= missing
        return missing

    def get(self, key: str, default=None):
        if key and key[0] not in self.loaded:
            self.need(key[0])
        return self.table.get(key, default)

    def __getitem__(self, key: str):
        if key and key[0] not in self.loaded:
            self.need(key[0])
        return self.table[key]

    def __contains__(self, key: str) -> bool:
        if key and key[0] not in self.loaded:
            self.need(key[0])
        return key in self.table


class _Segmenter:
    """A jieba tokenizer whose prefix dictionary is loaded lazily, one first character at a
    time (the seed plans use about half of it), with the policy terms added on top exactly
    as ``load_userdict`` would."""

    def __init__(self) -> None:
        jieba = _import_jieba()
        self.tokenizer = tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = str(_cache_dir())
        self.user: dict[str, list[tuple[str, int]]] = {}
        words = self._user_words()
        stamp = _stamp("dict.txt")
        store = _read_store("jieba-chunks.cache", stamp) if words is not None else None
        if store is None:
            freq, total = self._full_dictionary(tokenizer)
            chunks = _write_store("jieba-chunks.cache", stamp, total, freq)
        else:
            total, chunks = store
        tokenizer.FREQ = {}
        tokenizer.total = total
        tokenizer.initialized = True
        self.freq = _Lazy(tokenizer.FREQ, chunks)
        if words is None:  # a user word without a frequency: jieba must see the whole table
            self.freq.need("".join(chunks))
            tokenizer.load_userdict(str(_DATA / "policy_terms.txt"))
            return
        for word, count in words:
            self.user.setdefault(word[0], []).append((word, count))
            tokenizer.total += count
            if count == 0:
                jieba.finalseg.add_force_split(word)

    @staticmethod
    def _full_dictionary(tokenizer) -> tuple[dict[str, int], int]:
        # jieba reads its cache with marshal.load(file), which pulls the 9 MB through many
        # small reads; one read and marshal.loads is about three times faster. A missing or
        # stale cache is built (and written) by jieba itself.
        cache = Path(tokenizer.tmp_dir) / "jieba.cache"
        try:
            return marshal.loads(cache.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            tokenizer.initialize()
            return tokenizer.FREQ, tokenizer.total

    @staticmethod
    def _user_words() -> list[tuple[str, int]] | None:
        """The policy terms as (word, frequency), parsed like jieba's ``load_userdict``;
        None if one has no frequency (jieba then computes it from the whole dictionary)."""
        path = _DATA / "policy_terms.txt"
        if not path.exists():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines():
            m = re.match(r"^(.+?)( [0-9]+)?( [a-z]+)?$", line.strip())
            if m is None:
                continue
            if m.group(2) is None:
                return None
            out.append((m.group(1), int(m.group(2))))
        return out

    def cut(self, run: str) -> list[str]:
        for ch in self.freq.need(run):
            # After the dictionary's part, as jieba adds user words after loading it.
            for word, count in self.user.get(ch, ()):
                self.tokenizer.FREQ[word] = count
                for end in range(1, len(word)):
                    self.tokenizer.FREQ.setdefault(word[:end], 0)
        return self.tokenizer.lcut(run, HMM=True)


@lru_cache(maxsize=1)
def _segmenter() -> _Segmenter:
    return _Segmenter()


# jieba's words by run of Chinese: units overlap, blocks contain sentences, phrases recur.
_RUNS: dict[str, tuple[str, ...]] = {}
_RUNS_MAX = 1_000_000
# Above this many characters of not yet segmented Chinese, :func:`prepare` uses every core.
PARALLEL_ABOVE = 100_000


def _cut_run(run: str) -> tuple[str, ...]:
    """jieba's words for one run of Chinese (cached)."""
    got = _RUNS.get(run)
    if got is None:
        if len(_RUNS) >= _RUNS_MAX:
            _RUNS.clear()
        got = _RUNS[run] = tuple(_segmenter().cut(run))
    return got


def _cut_many(runs: list[str]) -> list[tuple[str, ...]]:
    return [tuple(_segmenter().cut(run)) for run in runs]


def prepare(texts: list[str], workers: int | None = None) -> None:
    """Segment the Chinese of ``texts`` ahead of :func:`tokenize`, in one process per core
    when there is much of it: jieba is pure Python (a few hundred thousand characters a
    second), and a long document is most of a comparison's time. ``workers=1``: do nothing
    here (the batch command already runs one process per core)."""
    if workers == 1 or (os.cpu_count() or 1) < 2:
        return
    runs: dict[str, None] = {}
    for text in texts:
        for m in _TOKEN.finditer(fold(text)):
            if m.lastgroup == "cjk" and m.group() not in _RUNS:
                runs[m.group()] = None
    if sum(map(len, runs)) < PARALLEL_ABOVE:
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return  # a fresh interpreter per worker would first load jieba again
    n = min(workers or os.cpu_count() or 1, os.cpu_count() or 1)
    _segmenter()  # loaded once, inherited by the workers
    ordered = sorted(runs, key=len, reverse=True)
    chunks = [ordered[i::n] for i in range(n)]
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork")) as pool:
        for chunk, cut in zip(chunks, pool.map(_cut_many, chunks), strict=True):
            _RUNS.update(zip(chunk, cut, strict=True))


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
def _idf() -> tuple[_Lazy, float]:
    """jieba.analyse's IDF table (a mapping with ``get``, loaded lazily by first character)
    and its median, cached next to jieba's own cache: parsing the 6 MB text file takes most
    of a second."""
    stamp = _stamp(os.path.join("analyse", "idf.txt"))
    store = _read_store("jieba-idf-chunks.cache", stamp)
    if store is not None:
        median, chunks = store
        return _Lazy({}, chunks), float(median)  # type: ignore[arg-type]
    source = Path(_import_jieba().__file__).parent / "analyse" / "idf.txt"
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
