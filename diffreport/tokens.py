"""Words: jieba for Chinese, Latin words for English; numbers with their units stay whole.

Chinese is segmented by jieba-rs (rjieba), jieba's algorithm and dictionary compiled, loaded
on first use only (importing diffreport stays fast), with a user dictionary of policy terms
(`diffreport/data/policy_terms.txt`). :func:`keywords` is jieba.analyse's TF-IDF extractor
over jieba's own IDF table, which is cached under the user's cache folder as a hash table
looked up in place, so that a comparison reads only the words its text uses.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import stat
import sys
import zlib
from array import array
from collections import Counter
from functools import lru_cache
from itertools import accumulate, chain
from pathlib import Path

from .normalise import CN_NUMERALS, compiled_later, fold

DATA_DIR = Path(__file__).parent / "data"  # the package's word lists (policy_terms.txt)

# The units a number is written with, one list for the words (here), the figures (targets)
# and what is not a term (terms): money, area, share, length, weight, time, counters.
_TIME_UNITS = ["个工作日", "工作日", "个月", "周岁", "小时", "分钟", "日", "天", "年"]
_MONEY_UNITS = ["万亿元", "亿元", "万元", "千元", "元", "亿美元", "万美元", "美元"]
UNITS = [
    *_MONEY_UNITS, "万平方米", "平方米", "平方公里", "公顷", "万人", "万户", "个百分点", "%", "‰",
    "公里", "千米", "万吨", "吨", "公斤", "千克", "万立方米", "立方米", "株", "倍", *_TIME_UNITS,
    "个", "家", "项", "座", "处", "亩", "所", "条", "部", "户", "套",
    "场", "批", "名", "人", "次", "件", "张", "辆", "台", "栋", "间",
]  # fmt: skip
# As a regex alternation, longest first: `公斤`, `个月`, `千元` whole, not `公`, `个`, `千` + rest.
UNIT = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
# Kept on a number as a word, but no figure's unit: a date's month (`3月`), the full-width
# percent sign (folded to `%` where words are compared), a kind (`3类`).
NUMBER_TAILS = "月％类"
# A number with its scale, `余`/`多` and unit is one token: `4.5%`, `60万平方米`, `5万余户`,
# `12个月`, `2025年`.
NUMBER = re.compile(
    rf"\d+(?:[.,]\d+)*(?:\s?(?:[万亿千百十]*[余多]?(?:{UNIT}|[{NUMBER_TAILS}])"
    rf"|[万亿千百十]+[余多]?|[余多]))?"
)
_TOKEN = re.compile(
    rf"(?P<num>{NUMBER.pattern})|(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff]+)|(?P<latin>[A-Za-z][A-Za-z'’\-]*)|(?P<other>\S)"
)
# The same without punctuation, for the content words, which drop it: the regex engine skips
# what no group matches, and findall hands back plain strings.
_WORD = re.compile(rf"({NUMBER.pattern})|([\u3400-\u4dbf\u4e00-\u9fff]+)|([A-Za-z][A-Za-z'’\-]*)")
# English function words: never a content word, nor the edge of a term.
STOP_LATIN = frozenset(
    "a an the of and or to in on for by with at as is are be been was were this that these those "
    "it its from shall will may must not no any all such which who whom than then there".split()
)


# --- the IDF cache --------------------------------------------------------------------------
# Written only in a folder this user owns and nobody else may write to (the user's cache folder,
# else a private mkdtemp folder for this run), read without following links, and checked by a
# SHA-256 before it is unmarshalled: a corrupt or planted file is rebuilt, never trusted or fatal.

_STORE_VERSION = "diffreport-hashed-3"
_CACHE_MAGIC = b"diffreport-cache-3\n"
_DIGEST_BYTES = 64  # SHA-256 in hex
# The IDF table's file is 6 MB: a much larger one is not ours, and is not read whole.
_CACHE_MAX_BYTES = 64 * 1024 * 1024


def _user_cache_base() -> Path | None:
    """$XDG_CACHE_HOME if absolute (the XDG spec ignores a relative one), else ~/.cache."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(base):
        return Path(base)
    try:
        return Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no home directory at all
        return None


def _private(folder: Path) -> bool:
    """This user's folder, which nobody else may write to (so nobody can plant a file or a
    link in it). A link to such a folder is accepted only if the link is the user's too."""
    try:
        link = os.lstat(folder)
        st = os.stat(folder)
    except OSError:
        return False
    if not hasattr(os, "geteuid"):  # Windows: folders under the profile are the user's
        return stat.S_ISDIR(st.st_mode)
    me = os.geteuid()
    return (
        stat.S_ISDIR(st.st_mode)
        and st.st_uid == me
        and link.st_uid == me
        and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


@lru_cache(maxsize=1)
def cache_dir() -> Path:
    """The folder the IDF cache lives in: ~/.cache/diffreport if private, else one for this run."""
    base = _user_cache_base()
    if base is not None:
        folder = base / "diffreport"
        try:
            base.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError:
            pass
        if _private(folder):
            return folder
    # No usable cache folder (none, read-only, or not private): one for this run only.
    import atexit
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="diffreport-cache-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def jieba_data_file(name: str) -> Path | None:
    """A data file of the jieba package, found without importing jieba."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    folders = (spec.submodule_search_locations or []) if spec else []
    return Path(folders[0]) / name if folders else None


def _stamp(source: Path | None) -> str:
    """Which content of ``source`` (and which cache format) a cached table was built from.
    By content, not by path or modification time: every virtual environment installs its own
    copy of jieba's table, and one stamped by its copy's mtime rebuilt the shared cache each
    time another environment had used it (0.3 s CPU of a 0.6 s seed run); hashing the 6 MB
    costs ~4 ms."""
    version = f"{_STORE_VERSION}:py{sys.version_info[0]}.{sys.version_info[1]}"
    try:
        content = source.read_bytes() if source else None
    except OSError:
        content = None
    return f"{version}:{hashlib.sha256(content).hexdigest()}" if content is not None else version


_ALIGN = 8  # every array of the store starts at a multiple of its widest item


def _pad(size: int) -> int:
    return -size % _ALIGN


def _pack(stamp: str, meta: object, table: dict[str, float]) -> bytes:
    """``table`` as an open-addressing hash table that is looked up in place, without
    unmarshalling it (a comparison looks up a few thousand of its 350 000 words; loading the
    parts of the table those words start with cost ~45 ms on the seed pair): slots of word
    numbers by CRC-32 of the word, the words' UTF-8 end offsets, their values and their
    bytes, behind a header and a checksum of it all."""
    words = [key.encode("utf-8") for key in table]
    slot_count = 1 << max(4, (2 * len(words)).bit_length())  # at most half full
    mask = slot_count - 1
    slots = array("I", bytes(4 * slot_count))
    for number, word in enumerate(words, start=1):  # 0 marks an empty slot
        i = zlib.crc32(word) & mask
        while slots[i]:
            i = (i + 1) & mask
        slots[i] = number
    ends = array("I", accumulate(map(len, words)))
    values = array("d", table.values())
    header = marshal.dumps((stamp, meta, len(words), slot_count))
    head = len(header).to_bytes(8, "little") + header
    head += bytes(_pad(len(_CACHE_MAGIC) + _DIGEST_BYTES + 1 + len(head)))
    payload = b"".join(
        (head, slots.tobytes(), ends.tobytes(), bytes(_pad(4 * len(ends))), values.tobytes())
    ) + b"".join(words)
    digest = hashlib.sha256(payload).hexdigest().encode()
    return _CACHE_MAGIC + digest + b"\n" + payload


def _unpack(data: bytes, stamp: str) -> tuple[object, _IdfStore] | None:
    """(meta, table) from :func:`_pack`'s bytes, or None unless they are whole and current."""
    start = len(_CACHE_MAGIC) + _DIGEST_BYTES + 1
    if not data.startswith(_CACHE_MAGIC) or len(data) < start + 8:
        return None
    payload = memoryview(data)[start:]
    if hashlib.sha256(payload).hexdigest().encode() != data[start - _DIGEST_BYTES - 1 : start - 1]:
        return None
    size = int.from_bytes(payload[:8], "little")
    try:
        found, meta, count, slot_count = marshal.loads(payload[8 : 8 + size])
    except (ValueError, EOFError, TypeError):
        return None
    if found != stamp or not isinstance(count, int) or not isinstance(slot_count, int):
        return None
    at = start + 8 + size
    at += _pad(at)
    slots_end = at + 4 * slot_count
    ends_end = slots_end + 4 * count
    values_at = ends_end + _pad(4 * count)
    words_at = values_at + 8 * count
    if slot_count & (slot_count - 1) or slot_count <= count or words_at > len(data):
        return None
    view = memoryview(data)
    ends = view[slots_end:ends_end].cast("I")
    words = data[words_at:]
    if count and ends[-1] != len(words):
        return None
    store = _IdfStore(view[at:slots_end].cast("I"), ends, view[values_at:words_at].cast("d"), words)
    return meta, store


def _read_cache(name: str) -> bytes | None:
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(cache_dir() / name, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if (
            not stat.S_ISREG(st.st_mode)
            or st.st_uid != getattr(os, "geteuid", lambda: st.st_uid)()
            or st.st_size > _CACHE_MAX_BYTES
        ):
            return None
        try:
            return fh.read(st.st_size + 1)  # (a file that grew meanwhile fails its checksum)
        except OSError:
            return None


def _write_cache(name: str, data: bytes) -> None:
    """A new file (O_EXCL, mode 0600) renamed over the name: a link planted there is
    replaced, never written through. A cache that cannot be written only costs time."""
    import tempfile

    folder = cache_dir()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, folder / name)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if not isinstance(exc, OSError):
            raise


class _IdfStore:
    """:func:`_pack`'s table, looked up in place (a mapping with ``get``)."""

    def __init__(self, slots: memoryview, ends: memoryview, values: memoryview, words: bytes):
        self.slots, self.ends, self.values, self.words = slots, ends, values, words
        self.mask = len(slots) - 1
        self.found: dict[str, float | None] = {}  # words already looked up

    def get(self, key: str, default=None):
        try:
            value = self.found[key]
        except KeyError:
            value = self.found[key] = self._find(key)
        return default if value is None else value

    def _find(self, key: str) -> float | None:
        word = key.encode("utf-8")
        slots, ends, mask = self.slots, self.ends, self.mask
        i = zlib.crc32(word) & mask
        while number := slots[i]:
            n = number - 1
            if self.words[ends[n - 1] if n else 0 : ends[n]] == word:
                return self.values[n]
            i = (i + 1) & mask
        return None


def user_words() -> list[tuple[str, int | None, str | None]]:
    """The policy terms as (word, frequency, tag), parsed as ``jieba.load_userdict`` parses
    its format (`word [frequency] [tag]`; no frequency: jieba suggests one)."""
    out = []
    for line in (DATA_DIR / "policy_terms.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(.+?)(?: ([0-9]+))?(?: ([a-z]+))?$", line.strip().lstrip("\ufeff"))
        if m:
            count = int(m.group(2)) if m.group(2) is not None else None
            out.append((m.group(1), count, m.group(3)))
    return out


@lru_cache(maxsize=1)
def segmenter():
    """jieba's segmenter as jieba-rs implements it (the same dictionary, HMM and words as
    ``jieba.lcut(run, HMM=True)``, some fifteen times faster), with the policy terms added
    the way ``jieba.load_userdict`` adds them. It is rjieba's default instance: building a
    second one would load the dictionary twice."""
    import rjieba

    for word, count, tag in user_words():
        rjieba.add_word(word, count, tag)
    return rjieba


# jieba's words by run of Chinese: units overlap, blocks contain sentences, phrases recur.
_RUNS: dict[str, tuple[str, ...]] = {}
_CONTENT_RUNS: dict[str, tuple[str, ...]] = {}
_RUNS_MAX = 1_000_000


def cut_run(run: str) -> tuple[str, ...]:
    """jieba's words for one run of Chinese (cached)."""
    got = _RUNS.get(run)
    if got is None:
        if len(_RUNS) >= _RUNS_MAX:
            _RUNS.clear()
        got = _RUNS[run] = tuple(segmenter().cut(run, True))
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
            out.extend(cut_run(m.group()))
        else:
            out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return tuple(out)


def content_words(text: str) -> list[str]:
    """Tokens that carry meaning: no single CJK function characters, no English stop words."""
    return list(content_word_tuple(text))


@lru_cache(maxsize=131072)
def content_word_tuple(text: str) -> tuple[str, ...]:
    """:func:`content_words` as the cached tuple itself, for a caller that only reads it
    (profiling every unit of a document: the copy was a twentieth of the work). Cached by
    the text as given: the stages after aligning ask again for the words of the texts it
    profiled (a clause's in rarity, a pair's in classify), and a node's text keeps its hash,
    where folding it anew cost a copy and a hash of the copy each time."""
    given = _GIVEN.pop(text, None)
    return given if given is not None else _content_words(_fold(text))


# Words another process found for texts this one is about to ask for (:func:`give_words`).
_GIVEN: dict[str, tuple[str, ...]] = {}


def give_words(texts: list[str], words: list[tuple[str, ...]]) -> None:
    """:func:`content_word_tuple`'s answers for ``texts``, found elsewhere (each taken once)."""
    _GIVEN.update(zip(texts, words, strict=True))


def forget_given_words() -> None:
    """Drops the given words not asked for."""
    _GIVEN.clear()


def forget_words() -> None:
    """Empties the caches of words by text and by run (a process that found words for
    another and needs the memory more than them)."""
    content_word_tuple.cache_clear()
    fold.cache_clear()
    _RUNS.clear()
    _CONTENT_RUNS.clear()


# fold without its own cache: content_word_tuple, its one caller here, caches by text.
_fold = getattr(fold, "__wrapped__", fold)


def _content_words(folded: str) -> tuple[str, ...]:
    # The words in order (numbers with their units, jieba's words, Latin words lowercased),
    # filtered as they come: a number is always kept (one character is a digit), a Chinese
    # word if longer than one character, an English word if longer and not a stop word.
    out: list[str] = []
    known = _CONTENT_RUNS.get  # (a run seen before costs a lookup, not a call)
    for num, cjk, latin in _WORD.findall(folded):
        if cjk:
            out.extend(known(cjk) or _content_run(cjk))
        elif num:
            out.append(num.replace(" ", ""))
        else:
            word = latin.lower()
            if len(word) > 1 and word not in STOP_LATIN:
                out.append(word)
    return tuple(out)


# An article, chapter or item number (`第十三条`, `第一百`, `二十三条`, `第二章`) is a label,
# not content: two articles do not have more in common for sharing a number.
LABEL_WORD = re.compile(rf"第[{CN_NUMERALS}\d]+[条章节编款项]?|[{CN_NUMERALS}]+[条章节编款项]")
# What a label word starts with: other words (nearly all) need no match tried.
_LABEL_FIRST = frozenset("第" + CN_NUMERALS)


def _content_run(run: str) -> tuple[str, ...]:
    got = _CONTENT_RUNS.get(run)
    if got is None:
        if len(_CONTENT_RUNS) >= _RUNS_MAX:
            _CONTENT_RUNS.clear()
        got = _CONTENT_RUNS[run] = tuple(
            w
            for w in cut_run(run)
            if len(w) > 1 and (w[0] not in _LABEL_FIRST or not LABEL_WORD.fullmatch(w))
        )
    return got


# Chinese function words: they join and qualify, they name nothing (never a key term).
FUNCTION_WORDS = frozenset(
    "有关 按照 依照 根据 依据 应当 可以 以及 或者 并且 而且 其中 对于 关于 通过 进行 相关 "
    "予以 给予 以上 以下 之一 其他 其它 等等 为了 由于 因此 但是 如果 除外 规定 本条 本法 本条例 "
    "前款 该项 之日 之前 之后 一切 所有 各种 各类 加以 并予 有权 不得 必须 需要 是否 以及其他".split()
)

# jieba.analyse's default stop words (KeywordExtractor.STOP_WORDS).
_STOP_TFIDF = frozenset(
    "the of is and to in that we for an are by be as on with can if from which you it this "
    "then at have all not one has or".split()
)


IDF_CACHE_NAME = "jieba-idf-3.cache"  # a new name for a new stamp: older versions keep theirs


@lru_cache(maxsize=1)
def idf_table() -> tuple[_IdfStore, float]:
    """jieba.analyse's IDF table (a mapping with ``get``, looked up in place in the cache)
    and its median, cached in the user's cache folder: parsing the 6 MB text file takes most
    of a second."""
    source = jieba_data_file(os.path.join("analyse", "idf.txt"))
    stamp = _stamp(source)
    cached = _read_cache(IDF_CACHE_NAME)
    store = _unpack(cached, stamp) if cached is not None else None
    if store is not None:
        median, table = store
        return table, float(median)  # type: ignore[arg-type]
    if source is None:
        raise RuntimeError("jieba's IDF table (jieba/analyse/idf.txt) is not installed")
    idf = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        word, value = line.strip().split(" ")
        idf[word] = float(value)
    median = sorted(idf.values())[len(idf) // 2]
    data = _pack(stamp, median, idf)
    _write_cache(IDF_CACHE_NAME, data)
    store = _unpack(data, stamp)
    assert store is not None
    return store[1], median


# jieba.cut's `re_han_default`: the runs it segments; everything between them comes out one
# character (or one space) at a time, which TF-IDF drops as shorter than two characters.
_han = compiled_later(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")


def keywords(text: str, top: int) -> list[str]:
    """The ``top`` TF-IDF keywords of ``text``: the same words in the same order as
    ``jieba.analyse.TFIDF().extract_tags(text, topK=top)`` with our tokenizer."""
    # jieba.cut(text) segments each such run on its own, exactly as cutting the run alone.
    # Counts are whole numbers, so ints add up to the floats jieba adds; a Counter keeps
    # first-seen order, which decides ties as jieba's dict does. A run already cut (for the
    # comparison's profiles) is read from the cache; the others are cut without being kept:
    # a document's runs are read once here, and kept they cost 40 MB at 2 MB a side.
    cut, cached = segmenter().cut, _RUNS.get
    # Every word counted in C, then the short and stop words dropped (each distinct word
    # tested once; deleting keeps the others' first-seen order).
    runs = _han().findall(text)
    freq = Counter(chain.from_iterable(cached(run) or cut(run, True) for run in runs))
    for w in [w for w in freq if len(w.strip()) < 2 or w.lower() in _STOP_TFIDF]:
        del freq[w]
    if not freq:
        return []
    idf, median = idf_table()
    total = float(sum(freq.values()))
    weight = {w: n * (idf.get(w, median) / total) for w, n in freq.items()}
    return sorted(weight, key=weight.__getitem__, reverse=True)[:top]
