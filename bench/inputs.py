"""Benchmark inputs: the seed pair, the law revision pairs, large pairs built from them, and
synthetic documents with 10 000 blocks. Everything is generated deterministically into
``bench/work/inputs`` (not committed).

* ``law-xK``: every law revision pair concatenated (old versions on one side, revised ones on
  the other), repeated k times, each copy under its own `# 第N编` heading (the laws' own
  headings move one level down). Real text and real revisions, but copies: unchanged text
  repeats, so caches help here as they would on a code that repeats its boilerplate.
* ``real-0.5m``, ``real-1m``, ``real-2m``: real, distinct text of about 0.5, 1 and 2 MB per
  side, repeating nothing within a side. Real revision pairs (the 19 law revisions, the
  three-version interpretation's first and last, the Debian Edu manual for bullseye and for
  bookworm, four licences and their next versions) interleaved with real text that exists in
  one version only, the same on both sides as the unchanged context of a revised compilation
  (Debian Reference, Debian FAQ, New Maintainers' Guide, Debian Edu ITIL manual, Apache-2.0,
  fortunes-zh). Each size takes the same share of revision text (a prefix of one interleaved
  order), so the sizes differ in size, not in mix. Sources: ``bench/corpus/SOURCES.md``.
* ``unrelated-1m``: two sides of about 1 MB with nothing in common (laws, the bullseye manual,
  ITIL, FAQ and old licences against the Debian Reference, the maintainers' guide and fortunes).
* ``synthetic-*``: 10 000 blocks of distinct sentences from a word-bigram model of the seed
  and law texts (no two blocks alike, so nothing is served from a cache), in chapters of 20
  articles (``synthetic-10k``) or as one flat run of paragraphs (``synthetic-flat-10k``, no
  structure to block by). The new version rewords 15 % of the blocks, drops 4 %, inserts 4 %,
  and moves 3 % to another chapter.
"""

from __future__ import annotations

import lzma
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
LAW = ROOT / "tests" / "fixtures" / "law"
WORK = ROOT / "bench" / "work" / "inputs"
CORPUS = ROOT / "bench" / "corpus"
MB = 1_000_000

_CN = "零一二三四五六七八九"


@dataclass(frozen=True)
class Pair:
    name: str
    old: Path
    new: Path
    group: str  # seed | law | law-large | real | unrelated | synthetic

    @property
    def size(self) -> int:
        """Bytes per side (the larger side)."""
        return max(self.old.stat().st_size, self.new.stat().st_size)


def law_pairs(folder: Path = LAW) -> list[tuple[Path, Path]]:
    by_name: dict[str, list[Path]] = defaultdict(list)
    for path in folder.glob("*.md"):
        by_name[path.name.split(".")[0]].append(path)
    pairs = []
    for versions in by_name.values():
        versions.sort(key=lambda p: ("0" if ".old." in p.name else "1") + p.name)
        pairs.append((versions[0], versions[-1]))
    return sorted(pairs)


def cn_number(n: int) -> str:
    """1..9999 in Chinese numerals, as statutes number their parts and articles."""
    if n < 10:
        return _CN[n]
    out, zero = "", False
    for value, name in ((1000, "千"), (100, "百"), (10, "十")):
        digit = n // value % 10
        if digit:
            lead = "" if (value == 10 and digit == 1 and n < 20) else _CN[digit]
            out += ("零" if zero else "") + lead + name
            zero = False
        elif out:
            zero = True
    if n % 10:
        out += ("零" if zero else "") + _CN[n % 10]
    return out


def _demote(markdown: str) -> str:
    return re.sub(r"(?m)^#", "##", markdown)


def law_copies(k: int) -> tuple[str, str]:
    olds = [_demote(o.read_text(encoding="utf-8")) for o, _ in law_pairs()]
    news = [_demote(n.read_text(encoding="utf-8")) for _, n in law_pairs()]
    old_parts, new_parts = [], []
    for i in range(1, k + 1):
        heading = f"# 第{cn_number(i)}编 地方性法规汇编（第{i}卷）\n\n"
        old_parts.append(heading + "\n\n".join(olds))
        new_parts.append(heading + "\n\n".join(news))
    return "\n\n".join(old_parts), "\n\n".join(new_parts)


# -- real, distinct text ----------------------------------------------------------------------


def corpus(name: str) -> str:
    return lzma.decompress((CORPUS / f"{name}.md.xz").read_bytes()).decode("utf-8")


def all_law_pairs() -> list[tuple[str, str, str]]:
    """(name, old text, new text) of the 19 law revisions and the interpretation's chain."""
    out = [
        (o.name.split(".")[0], o.read_text("utf-8"), n.read_text("utf-8")) for o, n in law_pairs()
    ]
    for o, n in law_pairs(LAW / "revisions"):
        out.append((o.name.split(".")[0], o.read_text("utf-8"), n.read_text("utf-8")))
    extra: dict[str, list[str]] = defaultdict(list)
    for path in sorted(CORPUS.glob("law.*.md.xz")):
        extra[path.name.split(".")[1]].append(path.name.removesuffix(".md.xz"))
    for name, (old, new) in sorted(extra.items()):
        out.append((name, corpus(old), corpus(new)))
    chain = sorted((LAW.parent / "law-versions").glob("*.md"))
    out.append(("人身损害赔偿司法解释", chain[0].read_text("utf-8"), chain[-1].read_text("utf-8")))
    return sorted(out)


REVISED = [  # (title, old, new): real documents and their next versions
    ("Debian Edu 手册", "debian-edu-bullseye-manual.zh-cn", "debian-edu-bookworm-manual.zh-cn"),
    ("GNU General Public License", "license.GPL-2", "license.GPL-3"),
    ("GNU Library/Lesser General Public License", "license.LGPL-2", "license.LGPL-2.1"),
    ("GNU Free Documentation License", "license.GFDL-1.2", "license.GFDL-1.3"),
    ("Mozilla Public License", "license.MPL-1.1", "license.MPL-2.0"),
]
CONTEXT = [  # (title, text): real documents in one version, unchanged context on both sides
    ("Debian 参考手册", "debian-reference.zh-cn"),
    ("Debian 常见问题", "debian-faq.zh-cn"),
    ("Debian 新维护者手册", "maint-guide.zh-cn"),
    ("Debian Edu ITIL 手册", "debian-edu-itil-manual.zh-cn"),
    ("Apache License 2.0", "license.Apache-2.0"),
    ("fortunes-zh", "fortunes-zh.chinese"),
]
SIZE_SLACK = 0.02  # a side may pass its target size by this share, no more
CONTEXT_PART = 20_000  # bytes: context comes in chapter-sized parts, to interleave finely


def _parts(text: str, size: int = CONTEXT_PART) -> list[str]:
    """Whole paragraphs, about `size` bytes each, cut before a heading where one is near."""
    parts, current, length = [], [], 0
    for para in text.split("\n\n"):
        if current and length >= size and (para.startswith("#") or length >= 2 * size):
            parts.append("\n\n".join(current))
            current, length = [], 0
        current.append(para)
        length += len(para.encode()) + 2
    if current:
        parts.append("\n\n".join(current))
    return parts


def _units() -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    revisions = [(name, old, new) for name, old, new in all_law_pairs()]
    revisions += [(title, corpus(old), corpus(new)) for title, old, new in REVISED]
    by_source = [
        [(f"{title}（{i}）", part) for i, part in enumerate(_parts(corpus(name)), 1)]
        for title, name in CONTEXT
    ]
    context = []  # round robin over the sources: every prefix samples each of them
    for i in range(max(len(s) for s in by_source)):
        context += [s[i] for s in by_source if i < len(s)]
    return revisions, context


def _volume(units: list[tuple[str, str]]) -> str:
    """One compiled volume: each unit under its own `# 第N部分` heading, its headings demoted."""
    return (
        "\n\n".join(
            f"# 第{cn_number(i)}部分 {title}\n\n{_demote(text).strip()}"
            for i, (title, text) in enumerate(units, 1)
        )
        + "\n"
    )


def _real_units(target: int) -> list[tuple[str, str, str, bool]]:
    """(title, old text, new text, is a revision) of about `target` bytes per side: revision
    pairs and unchanged context interleaved so that every prefix holds the same share of
    revision text."""
    revisions, context = _units()
    share = sum(len(o.encode()) for _, o, _ in revisions) / (
        sum(len(o.encode()) for _, o, _ in revisions) + sum(len(t.encode()) for _, t in context)
    )
    units: list[tuple[str, str, str, bool]] = []
    rev_bytes = all_bytes = new_bytes = 0
    slack = target * SIZE_SLACK
    while True:
        # Revision text next while its share is below the whole corpus's; the first unit of
        # the kind due that still fits, else of the other kind; none fits: done.
        kinds = [revisions, context] if rev_bytes <= share * all_bytes else [context, revisions]
        fits = [
            (kind, i)
            for kind in kinds
            for i, unit in enumerate(kind)
            if max(all_bytes + len(unit[1].encode()), new_bytes + len(unit[-1].encode()))
            <= target + slack
        ]
        if not fits:
            break
        kind, i = fits[0]
        title, *texts = kind.pop(i)
        units.append((title, texts[0], texts[-1], kind is revisions))
        all_bytes += len(texts[0].encode())
        new_bytes += len(texts[-1].encode())
        if kind is revisions:
            rev_bytes += len(texts[0].encode())
    return units


def real_distinct(target: int) -> tuple[str, str]:
    """About `target` bytes per side: revision pairs and unchanged context interleaved so that
    every prefix holds the same share of revision text."""
    units = _real_units(target)
    return _volume([(t, old) for t, old, _, _ in units]), _volume(
        [(t, new) for t, _, new, _ in units]
    )


def real_versions(target: int) -> tuple[str, str, str]:
    """Three versions of :func:`real_distinct`'s volume, for `history`: the old one, one
    revised in two stages (every other revision already in its new version, the rest still
    old), and the new one. Real text, nothing repeated within a version."""
    units = _real_units(target)
    revised = [i for i, unit in enumerate(units) if unit[3]]
    first_stage = set(revised[1::2])
    middle = [(t, new if i in first_stage else old) for i, (t, old, new, _) in enumerate(units)]
    return (
        _volume([(t, old) for t, old, _, _ in units]),
        _volume(middle),
        _volume([(t, new) for t, _, new, _ in units]),
    )


def unrelated(target: int) -> tuple[str, str]:
    """Two sides with nothing in common: laws, the bullseye manual, ITIL, FAQ and the older
    licences on one; the Debian Reference, the maintainers' guide and fortunes on the other."""
    one = [(name, old) for name, old, _ in all_law_pairs()]
    one += [(t, corpus(o)) for t, o, _ in REVISED]
    one += [
        (t, corpus(n))
        for t, n in CONTEXT
        if n in ("debian-edu-itil-manual.zh-cn", "debian-faq.zh-cn")
    ]
    other = [
        (t, part)
        for t, n in CONTEXT[:]
        if n in ("debian-reference.zh-cn", "maint-guide.zh-cn", "fortunes-zh.chinese")
        for part in [corpus(n)]
    ]

    def upto(units: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out, size = [], 0
        for title, text in units:
            if size >= target:
                break
            parts = _parts(text) if size + len(text.encode()) > target else [text]
            for i, part in enumerate(parts):
                if size >= target:
                    break
                out.append((title if len(parts) == 1 else f"{title}（{i + 1}）", part))
                size += len(part.encode())
        return out

    return _volume(upto(one)), _volume(upto(other))


# -- synthetic ------------------------------------------------------------------------------


def _corpus_sentences() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(LAW.glob("*.md"))]
    out = []
    for text in texts:
        for s in re.split(r"(?<=[。；！？])|\n", text):
            s = s.strip().lstrip("#").strip()
            if len(s) >= 8 and re.search(r"[\u4e00-\u9fff]", s):
                out.append(s)
    return out


class Bigrams:
    """A word-bigram model: sentences that read like the corpus and are all different."""

    def __init__(self, sentences: list[str], rng: random.Random) -> None:
        import jieba

        jieba.setLogLevel(60)
        self.rng = rng
        self.next: dict[str, list[str]] = defaultdict(list)
        for s in sentences:
            words = ["<s>"] + [w for w in jieba.lcut(s.rstrip("。；！？")) if w.strip()] + ["</s>"]
            for a, b in zip(words, words[1:], strict=False):
                self.next[a].append(b)

    def sentence(self, min_words: int = 4, max_words: int = 16) -> str:
        while True:
            words, w = [], "<s>"
            while len(words) < max_words:
                w = self.rng.choice(self.next[w])
                if w == "</s>":
                    break
                words.append(w)
            if len(words) >= min_words:
                return "".join(words) + "。"


def synthetic(blocks: int, flat: bool, seed: int = 6) -> tuple[str, str]:
    rng = random.Random(seed)
    model = Bigrams(_corpus_sentences(), rng)
    seen: set[str] = set()

    def block_text() -> str:
        while True:
            text = "".join(model.sentence() for _ in range(rng.randint(1, 2)))
            if text not in seen:
                seen.add(text)
                return text

    def reword(text: str) -> str:
        sentences = re.findall(r"[^。]+。", text)
        i = rng.randrange(len(sentences))
        if rng.random() < 0.5 or len(sentences) == 1:
            sentences.insert(i + rng.randint(0, 1), model.sentence())
        else:
            sentences[i] = model.sentence()
        out = "".join(sentences)
        return out if out not in seen else reword(text)

    per_chapter = 20
    old_blocks = [block_text() for _ in range(blocks)]
    new_blocks: list[str | None] = []
    moved: list[str] = []
    for text in old_blocks:
        r = rng.random()
        if r < 0.15:
            new_blocks.append(reword(text))
        elif r < 0.19:
            continue  # dropped
        elif r < 0.22:
            moved.append(text)
        else:
            new_blocks.append(text)
        if rng.random() < 0.04:
            new_blocks.append(block_text())  # inserted
    for text in moved:
        new_blocks.insert(rng.randrange(len(new_blocks) + 1), text)

    def render(items: list[str]) -> str:
        if flat:
            return "\n\n".join(items) + "\n"
        lines = ["# 合成条例", ""]
        article = 0
        for i, text in enumerate(items):
            if i % per_chapter == 0:
                chapter = i // per_chapter + 1
                lines += [f"## 第{cn_number(chapter)}章 第{chapter}部分规定", ""]
            article += 1
            lines += [f"第{cn_number(article)}条 {text}", ""]
        return "\n".join(lines)

    return render(old_blocks), render([b for b in new_blocks if b is not None])


def build(law_ks: tuple[int, ...] = (2, 4, 9), blocks: int = 10_000) -> list[Pair]:
    """Write the generated inputs (once) and list every benchmark pair."""
    WORK.mkdir(parents=True, exist_ok=True)
    pairs = [Pair("seed", SEEDS / "nankai-2024-plan.txt", SEEDS / "nankai-2025-plan.txt", "seed")]
    for old, new in law_pairs():
        pairs.append(Pair("law:" + old.name.split(".")[0], old, new, "law"))

    def write(name: str, make, group: str) -> None:
        old, new = WORK / f"{name}.old.md", WORK / f"{name}.new.md"
        if not (old.exists() and new.exists()):
            old_text, new_text = make()
            old.write_text(old_text, encoding="utf-8")
            new.write_text(new_text, encoding="utf-8")
        pairs.append(Pair(name, old, new, group))

    for k in law_ks:
        write(f"law-x{k}", lambda k=k: law_copies(k), "law-large")
    for label, size in (("0.5m", MB // 2), ("1m", MB), ("2m", 2 * MB)):
        write(f"real-{label}", lambda size=size: real_distinct(size), "real")
    middle = WORK / "real-1m.mid.md"  # the history's middle version (see real_versions)
    if not middle.exists():
        middle.write_text(real_versions(MB)[1], encoding="utf-8")
    write("unrelated-1m", lambda: unrelated(MB), "unrelated")
    write(f"synthetic-{blocks // 1000}k", lambda: synthetic(blocks, flat=False), "synthetic")
    write(f"synthetic-flat-{blocks // 1000}k", lambda: synthetic(blocks, flat=True), "synthetic")
    return pairs


if __name__ == "__main__":
    for pair in build():
        print(f"{pair.name:28s} {pair.size / 1e6:6.2f} MB  {pair.old}  {pair.new}")
