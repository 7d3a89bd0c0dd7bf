# Two set-up commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run city run-province test install browser lint bench clean llm-eval

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Build the demo city, load the graph and index the policies (each once), then serve on http://127.0.0.1:8000
run: city
	$(BIN)/yiwang serve --simulate

city: install
	$(BIN)/yiwang demo build --if-missing
	$(BIN)/yiwang graph load --if-changed
	$(BIN)/yiwang index build --if-changed
	$(BIN)/yiwang demo cases --if-empty
	$(BIN)/yiwang demo readings --if-empty
	$(BIN)/yiwang keys demo

## Optional, the federation demo: 西地省 on http://127.0.0.1:8100 over A市 (:8000, as make run) and B市 (:8001,
## another seed, a fifth of the size), each city publishing to the province every 10 s (docs/federation.md)
B_ENV := YIWANG_DATA_DIR=var/b YIWANG_PLATFORM_CODE=990200 YIWANG_PLATFORM_NAME=B市 YIWANG_DEMO_SEED=20222
P_ENV := YIWANG_DATA_DIR=var/province YIWANG_LEVEL=province YIWANG_PLATFORM_CODE=990000 YIWANG_PLATFORM_NAME=西地省
KEY_OF = $$(awk '$$1=="$(1)"{print $$2}' var/province/platform-keys.txt)
run-province: city
	$(B_ENV) $(BIN)/yiwang demo build --if-missing --scale 0.2
	$(B_ENV) $(BIN)/yiwang graph load --if-changed
	$(B_ENV) $(BIN)/yiwang demo cases --if-empty --per-day 6
	$(B_ENV) $(BIN)/yiwang demo readings --if-empty --hours 6 --history 0
	$(B_ENV) $(BIN)/yiwang keys demo
	$(P_ENV) $(BIN)/yiwang keys demo
	$(P_ENV) $(BIN)/yiwang federation keys 990100 990200
	trap 'kill 0' INT TERM EXIT; \
	$(P_ENV) YIWANG_SYNC_INTERVAL_S=10 $(BIN)/yiwang serve --port 8100 & \
	YIWANG_PARENT_URL=http://127.0.0.1:8100 YIWANG_PARENT_KEY=$(call KEY_OF,990100) YIWANG_SYNC_INTERVAL_S=10 \
		$(BIN)/yiwang serve --simulate --port 8000 & \
	$(B_ENV) YIWANG_PARENT_URL=http://127.0.0.1:8100 YIWANG_PARENT_KEY=$(call KEY_OF,990200) YIWANG_SYNC_INTERVAL_S=10 \
		$(BIN)/yiwang serve --simulate --port 8001 & \
	wait

## Debian's Chromium and a Chinese font for the browser tests (tests/web), where missing; never a downloaded browser
SUDO := $(shell test "$$(id -u)" = 0 || echo sudo)
browser:
	@test -x /usr/bin/chromium || $(SUDO) apt-get install -y -qq chromium >/dev/null || \
		($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null)
	@fc-list :lang=zh family | grep -q . || $(SUDO) apt-get install -y -qq fonts-wqy-microhei >/dev/null

## The whole test suite
test: install browser
	$(BIN)/ruff check .
	$(BIN)/pytest

## Optional, never part of run/test: chat in LLM mode against a local model served as ../shared/llm/README.md
## says (install.sh, then start-server.sh 1.5b 8089); ONLY="--only heldout-001 …" for a sample.
LLM_URL ?= http://127.0.0.1:8089/v1
LLM_MODEL ?= qwen2.5-coder-1.5b-instruct
llm-eval: install
	$(BIN)/python bench/llm_prompt_bench.py --url $(LLM_URL) --model $(LLM_MODEL)
	YIWANG_LLM_BASE_URL=$(LLM_URL) YIWANG_LLM_MODEL=$(LLM_MODEL) YIWANG_LLM_TIMEOUT_S=180 \
		$(BIN)/yiwang eval chat --set heldout $(ONLY) --report out/llm

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/graph_bench.py
	$(BIN)/python bench/retrieval_bench.py
	$(BIN)/python bench/services_bench.py
	$(BIN)/python bench/chat_bench.py
	$(BIN)/python bench/triage_bench.py

clean:
	rm -rf $(VENV) var .pytest_cache
