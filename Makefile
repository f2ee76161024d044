# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper for those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test migrate demo lint format bench ab browser clean schemathesis

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.test-installed: requirements/base.txt requirements/test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/test.txt
	touch $@ $(VENV)/.base-installed

install: $(VENV)/.base-installed
install-test: $(VENV)/.test-installed

# A db.sqlite3 from before the custom user model (users.User) cannot be migrated forward: say so plainly.
OLD_SQLITE_CHECK := import sqlite3, sys; db = sqlite3.connect('db.sqlite3'); \
  sys.exit(1 if db.execute('select 1 from sqlite_master where name = ?', ('auth_user',)).fetchone() else 0)

migrate: install
	@if [ -f db.sqlite3 ] && ! $(BIN)/python -c "$(OLD_SQLITE_CHECK)"; then \
	  echo "db.sqlite3 was made by an older version of this project (before accounts moved to users.User)."; \
	  echo "Start fresh with:  rm db.sqlite3 && make run   (this deletes the local accounts, tasks and chats)"; \
	  exit 1; fi
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py ensure_demo_user

## Serve http://$(HOST):$(PORT) with daphne (HTTP + websockets), SQLite and the offline assistant by default.
run: demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(BIN)/python -m core.serve -e tcp:port=$(PORT):interface=$(HOST):backlog=1024 config.asgi:application

## The whole suite, browser tests included.
test: install-test browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Browser tests drive Debian's Chromium (Playwright never downloads a browser here): install it when missing.
APT_GET := $(if $(filter 0,$(shell id -u)),apt-get,sudo -n apt-get)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  ($(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq chromium >/dev/null) \
	    || echo "Could not install chromium (apt-get install chromium): the browser tests will be skipped."; }

## Does the OpenAPI schema tell the truth? Schemathesis against a live daphne (see .ci/schemathesis.py).
schemathesis: install-test
	$(BIN)/python .ci/schemathesis.py

## Latency ratios of the chat path, measured in one run, the tool schemas' token cost, the per-chunk cost of
## stream parsing and the load test (see bench/; BENCH_LEVELS=1,20,50 for a short run).
BENCH_LEVELS ?= 1,50,100,200,300
bench: install-test
	$(BIN)/python bench/tool_schema_tokens.py
	$(BIN)/python bench/turn_latency.py
	$(BIN)/python bench/chunk_cost.py
	$(BIN)/python bench/read_cost.py
	$(BIN)/python bench/model_client_cost.py
	$(BIN)/python bench/channel_layer_cost.py
	$(BIN)/python bench/load.py --levels $(BENCH_LEVELS)

## The working tree against BASE (a revision) under the load test, alternating (bench/ab.py): `make ab BASE=HEAD~1`.
AB_LEVELS ?= 10,25
AB_ROUNDS ?= 3
ab: install-test
	@test -n "$(BASE)" || { echo "usage: make ab BASE=<revision> [AB_LEVELS=10,25] [AB_ROUNDS=3]"; exit 2; }
	$(BIN)/python bench/ab.py --base $(BASE) --levels $(AB_LEVELS) --rounds $(AB_ROUNDS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
