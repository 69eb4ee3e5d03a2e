# The README's two commands: `make demo` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
export NIANBAO_STATE_DIR ?= $(CURDIR)/.state
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: demo test lint bench bench-read bench-levels bench-latency clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode --quiet -e '.[dev]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

demo: $(STAMP)
	$(BIN)/nianbao demo --root demo-root

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Not a test: for N = 100, 1,000 (and N=10000 when asked) valid workbooks (cached in
# benchmarks/.cache), the floor, the naive pandas script and `nianbao run` on a local server.
# pandas (the naive script's) is the `bench` extra, installed here only.
bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.scale --n "$(N)"

bench-read: $(STAMP)
	$(BIN)/python benchmarks/read_speed.py --n $(or $(N),1000)

# Not a test: a province of CITIES cities of COUNTIES counties of UNITS units (default
# 10 x 10 x 100), one flow against the fan-out on 1 and 2 process workers (docs/levels.md).
bench-levels: $(STAMP)
	$(BIN)/python -m benchmarks.levels --cities $(or $(CITIES),10) \
		--counties $(or $(COUNTIES),10) --units $(or $(UNITS),100)

# Not a test: seconds from a save's arrival in the inbox to its feedback file, with a real
# server, `nianbao serve` and `nianbao watch`, N units accepted (default 1,000 and 10,000),
# one unit saving three times 20 s apart; this code and the code before issue 16.
bench-latency: $(STAMP)
	$(BIN)/python -m benchmarks.latency --n "$(or $(N),1000,10000)"

clean:
	rm -rf demo-root .state
