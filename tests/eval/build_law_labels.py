"""Build article labels for the law revision pairs, mechanically and without diffreport.

Run once (`python tests/eval/build_law_labels.py`); the output under `tests/eval/labels/` is
committed and read by the harness. An article is cut from the Markdown with a plain regex
(`第N条` up to the next article or heading); its *body* is the text after the number with
whitespace removed. Labels:

* `unchanged` — the old body occurs verbatim as a new body (whatever its number now is);
* `changed` — same number on both sides, bodies differ, and the numbering is stable (both
  versions have the same article count, so no insertion shifted the numbers);
* otherwise the article is left unlabelled (`null`): deciding changed/new/dropped there needs
  reading, not a regex.

The harness scores unchanged recall and *false unchanged* against these labels.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAW = HERE.parent / "fixtures" / "law"
ARTICLE = re.compile(r"^第([一二三四五六七八九十百零〇]+)条(?:之[一二三四五六七八九十]+)?[\s　]*")
HEADING = re.compile(r"^(#|第[一二三四五六七八九十百零〇]+[章节编])")


def articles(path: Path) -> list[tuple[str, str]]:
    """(number, body) in document order."""
    out: list[tuple[str, list[str]]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("<!--"):
            continue
        m = ARTICLE.match(line)
        if m:
            out.append((m.group(0).strip(), [line[m.end() :]]))
        elif HEADING.match(line):
            out.append(("", []))  # a heading ends the article before it
        elif out and out[-1][0]:
            out[-1][1].append(line)
    return [(num, _key("".join(body))) for num, body in out if num]


def _key(text: str) -> str:
    # Width and spacing are typography, not wording: `；` and `;` are the same text.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pairs() -> list[tuple[Path, Path]]:
    by_name: dict[str, list[Path]] = {}
    for path in LAW.glob("*.md"):
        by_name.setdefault(path.name.split(".")[0], []).append(path)
    out = []
    for versions in by_name.values():
        versions.sort(key=lambda p: ("0" if ".old." in p.name else "1") + p.name)
        out.append((versions[0], versions[-1]))
    return sorted(out)


def label(old: Path, new: Path) -> dict:
    oa, na = articles(old), articles(new)
    new_bodies = {body for _, body in na}
    old_bodies = {body for _, body in oa}
    stable = len(oa) == len(na)
    new_by_num = dict(na)
    old_labels = []
    for num, body in oa:
        if body in new_bodies:
            status = "unchanged"
        elif stable and num in new_by_num:
            status = "changed"
        else:
            status = None
        old_labels.append({"number": num, "body": body, "status": status})
    new_labels = []
    for num, body in na:
        status = "unchanged" if body in old_bodies else ("changed" if stable else None)
        new_labels.append({"number": num, "body": body, "status": status})
    return {
        "old": old.name,
        "new": new.name,
        "numbering_stable": stable,
        "old_articles": old_labels,
        "new_articles": new_labels,
    }


def main() -> None:
    for old, new in pairs():
        data = label(old, new)
        name = old.name.split(".")[0]
        out = HERE / "labels" / f"law-{name}.json"
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        counts: dict[str, int] = {}
        for a in data["old_articles"]:
            counts[str(a["status"])] = counts.get(str(a["status"]), 0) + 1
        print(name, len(data["old_articles"]), "→", len(data["new_articles"]), counts)


if __name__ == "__main__":
    main()
