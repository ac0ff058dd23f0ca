# Two commands do everything on a fresh machine with only python3: `make brief`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: brief test lint format eval bench same-output clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

brief: $(STAMP)
	$(BIN)/diffreport brief seeds/nankai-2024-plan.txt seeds/nankai-2025-plan.txt -o out/briefing.docx

test: $(STAMP)
	$(BIN)/ruff check diffreport tests
	$(BIN)/python -m pytest -q

# Benchmark (about ten minutes; `BENCH_ARGS=--quick` for a few minutes): prints the
# table of wall times, peak memory and ratios against difflib, an all-pairs matrix and
# Python-Redlines; results in bench/work/results.md.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Is diffreport's JSON unchanged on the reference pairs (seeds, laws, English, the benchmark
# inputs)? For speed-ups and refactorings; `bench/same_output.py --update` after meant changes.
same-output: $(STAMP)
	$(BIN)/python bench/same_output.py $(SAME_ARGS)

# Accuracy on labelled revision pairs (tests/eval/); pytest runs the same check in `test`.
eval: $(STAMP)
	$(BIN)/python tests/eval/harness.py --check

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check diffreport tests

format: $(STAMP)
	$(BIN)/ruff format diffreport tests && $(BIN)/ruff check --fix diffreport tests

clean:
	rm -rf $(VENV) out/*.docx out/*.json
