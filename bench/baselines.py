"""What a user would otherwise run, for the benchmark only (difflib never enters diffreport/).

    python bench/baselines.py difflib OLD NEW    # difflib.ndiff: line diff, then a character
                                                 # diff inside replaced lines
    python bench/baselines.py allpairs OLD NEW   # every paragraph scored against every other
                                                 # (rapidfuzz, all cores), best match each
    python bench/baselines.py readparse OLD NEW  # diffreport's own floor: start-up, read and
                                                 # parse both documents, and nothing else
    python bench/baselines.py floor OLD NEW      # the floor of any word-level comparison of
                                                 # Chinese: read both files, segment every
                                                 # line with jieba-rs (rjieba), nothing else

Both print a small JSON summary, so that their output is produced as diffreport's is.
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path


def paragraphs(path: str) -> list[str]:
    text = Path(path).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def difflib_redline(old: list[str], new: list[str]) -> list[str]:
    """difflib's own redline (``ndiff``): a line diff, and inside each replaced block the
    most similar lines paired and diffed character by character (the `?` guide lines)."""
    return list(difflib.ndiff(old, new))


def all_pairs(old: list[str], new: list[str]) -> list[tuple[int, int, float]]:
    """The naive fuzzy aligner: the full similarity matrix, then each old paragraph's best."""
    import numpy as np
    from rapidfuzz import fuzz, process

    matrix = process.cdist(old, new, scorer=fuzz.ratio, workers=-1, dtype=np.float32)
    best = matrix.argmax(axis=1) if len(new) else np.zeros(len(old), dtype=int)
    return [(i, int(j), float(matrix[i, j])) for i, j in enumerate(best) if len(new)]


def main(argv: list[str]) -> int:
    kind, old_path, new_path = argv
    if kind == "floor":
        # No diffreport import: rjieba as diffreport calls it (HMM on), line by line.
        import rjieba

        words = [
            sum(len(rjieba.cut(line, True)) for line in Path(path).read_text("utf-8").splitlines())
            for path in (old_path, new_path)
        ]
        print(json.dumps({"words": words}))
        return 0
    if kind != "readparse":
        old, new = paragraphs(old_path), paragraphs(new_path)
    if kind == "difflib":
        lines = difflib_redline(old, new)
        summary = {k: sum(1 for line in lines if line[:1] == k) for k in " +-?"}
    elif kind == "allpairs":
        matches = all_pairs(old, new)
        summary = {"pairs": sum(1 for *_, s in matches if s >= 60.0), "cells": len(old) * len(new)}
    elif kind == "readparse":
        from diffreport.parse import parse
        from diffreport.readers import read

        docs = [parse(read(path)) for path in (old_path, new_path)]
        summary = {"nodes": [len(d.nodes) for d in docs]}
    else:
        raise SystemExit(f"unknown baseline {kind!r}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
