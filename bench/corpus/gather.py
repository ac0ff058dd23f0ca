"""How the texts in this folder were made (run once, with network; the benchmark never runs it).

    python bench/corpus/gather.py /tmp/gather LAW_REVISIONS_FOLDER
        # apt-get download + dpkg-deb -x under /tmp/gather, then write NAME.md.xz here

Each source is a real document as a Debian package ships it (see SOURCES.md for package,
version and licence). HTML becomes Markdown: headings keep their level, each paragraph, list
item, definition, table row or preformatted block becomes one paragraph; the tables of
contents are left out. Plain-text licences keep their paragraphs (hard-wrapped lines joined).
"""

from __future__ import annotations

import lzma
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGES = [
    "debian-edu-doc-zh-cn",
    "debian-edu-doc-legacy-zh-cn",
    "debian-faq-zh-cn",
    "debian-reference-zh-cn",
    "maint-guide-zh-cn",
    "fortunes-zh",
    "base-files",
]
WIDE = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
BLOCK = {"p", "li", "dt", "dd", "tr", "pre", "blockquote", "caption"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
SKIP_CLASSES = {
    "toc",
    "list-of-tables",
    "list-of-figures",
    "list-of-examples",
    "navheader",
    "navfooter",
}


def squash(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(rf"(?<=[{WIDE}]) (?=[{WIDE}])", "", text)


def html_markdown(paths: list[Path]) -> str:
    import lxml.html

    out: list[str] = []
    for path in paths:
        root = lxml.html.parse(str(path)).getroot()
        body = root.find("body") if root.find("body") is not None else root
        done: set = set()
        for el in body.iter():
            if not isinstance(el.tag, str):
                continue
            if any(a in done for a in el.iterancestors()):
                continue
            classes = set((el.get("class") or "").split())
            if classes & SKIP_CLASSES:
                done.add(el)
                continue
            if el.tag in HEADINGS:
                text = squash(el.text_content())
                if text:
                    out.append("#" * HEADINGS[el.tag] + " " + text)
                done.add(el)
            elif el.tag in BLOCK:
                if el.tag in ("li", "dd", "blockquote") and any(
                    c.tag in BLOCK | {"ul", "ol", "dl", "table", "div"}
                    for c in el.iter()
                    if c is not el
                ):
                    continue  # its inner blocks speak for themselves
                if el.tag == "tr":
                    text = " | ".join(
                        squash(c.text_content()) for c in el if isinstance(c.tag, str)
                    )
                elif el.tag == "pre":
                    text = "\n".join(
                        line.rstrip()
                        for line in el.text_content().strip("\n").splitlines()
                        if line.strip()
                    )
                else:
                    text = squash(el.text_content())
                if text.strip(" |"):
                    out.append(text)
                done.add(el)
    return "\n\n".join(out) + "\n"


def plain_paragraphs(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    paras = [squash(p) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paras if p) + "\n"


def fortunes(path: Path) -> str:
    """One paragraph per fortune, lines kept (poems). The excerpts of the Debian Reference
    and its reference card are left out: that text is already here, in a later version."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", path.read_text(encoding="utf-8"))
    entries = [e.strip() for e in text.split("\n%\n") if e.strip()]
    keep = [e for e in entries if not re.search(r"--.*Debian 参考(手册|卡片)", e)]
    return "\n\n".join("\n".join(line.strip() for line in e.splitlines()) for e in keep) + "\n"


def laws(folder: Path) -> dict[str, str]:
    """The revision pairs of /work/shared/examples/law-revisions that tests/fixtures lacks."""
    fixtures = {p.name for p in (HERE.parent.parent / "tests" / "fixtures" / "law").rglob("*.md")}
    return {
        "law." + p.name.removesuffix(".md"): p.read_text(encoding="utf-8")
        for p in sorted(folder.glob("*.md"))
        if p.name not in fixtures and p.name != "README.md"
    }


def main(root: Path, law_folder: Path | None = None) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for package in PACKAGES:
        if not list(root.glob(f"{package}_*.deb")):
            subprocess.run(["apt-get", "download", package], cwd=root, check=True)
        deb = sorted(root.glob(f"{package}_*.deb"))[-1]
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root / "x")], check=True)
    x = root / "x" / "usr" / "share"
    edu = x / "doc" / "debian-edu-doc-zh-cn"
    legacy = x / "doc" / "debian-edu-doc-legacy-zh-cn"
    ref = x / "debian-reference"
    texts = {
        "debian-edu-bullseye-manual.zh-cn": html_markdown(
            [edu / "debian-edu-bullseye-manual.html"]
        ),
        "debian-edu-bookworm-manual.zh-cn": html_markdown(
            [edu / "debian-edu-bookworm-manual.html"]
        ),
        "debian-edu-itil-manual.zh-cn": html_markdown([legacy / "debian-edu-itil-manual.html"]),
        "debian-reference.zh-cn": html_markdown(
            [
                ref / f"{n}.zh-cn.html"
                for n in ["pr01", *(f"ch{i:02d}" for i in range(1, 13)), "apa"]
            ]
        ),
        "debian-faq.zh-cn": html_markdown(
            sorted((x / "doc" / "debian" / "FAQ" / "zh-cn").glob("*.zh-cn.html"))
        ),
        "maint-guide.zh-cn": html_markdown(
            sorted((x / "doc" / "maint-guide-zh-cn" / "html").glob("*.zh-cn.html"))
        ),
        "fortunes-zh.chinese": fortunes(x / "games" / "fortunes" / "chinese"),
    }
    for name in [
        "GPL-2",
        "GPL-3",
        "LGPL-2",
        "LGPL-2.1",
        "GFDL-1.2",
        "GFDL-1.3",
        "MPL-1.1",
        "MPL-2.0",
        "Apache-2.0",
    ]:
        texts["license." + name] = plain_paragraphs(x / "common-licenses" / name)
    if law_folder:
        texts.update(laws(law_folder))
    for name, text in texts.items():
        (HERE / f"{name}.md.xz").write_bytes(
            lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME)
        )
        print(f"{name:40s} {len(text.encode()):9d} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
