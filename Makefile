# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000

NODE_PACKAGES := tests/node

.PHONY: run demo-reset test install install-dev translations chromium node bench screens clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

install-dev: $(VENV)/.installed-dev translations

# Compiled catalogues are build output; the .po files are the source.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d kerne/translations

## Serve on http://127.0.0.1:$(PORT) with SQLite in instance/, demo data on first start.
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	PORT=$(PORT) $(FLASK) run --port $(PORT)

## Start the demo afresh: the SQLite file in instance/ is deleted, migrated, seeded, served.
## Refused when DATABASE_URL is set, so a real database is never emptied by it.
demo-reset: install
	@test -z "$$DATABASE_URL" || (echo "DATABASE_URL is set: demo-reset only resets the demo's SQLite file" && exit 1)
	rm -f instance/kerne.sqlite instance/kerne.sqlite-wal instance/kerne.sqlite-shm
	$(MAKE) --no-print-directory run

## The whole suite; installs Debian's Chromium for the browser tests, and Node with the packages the
## tests run on it (a real OpenID Connect provider, html-validate), when they are missing.
test: install-dev chromium $(NODE_PACKAGES)/node_modules
	$(BIN)/python -m pytest -n 2 --dist loadfile

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)

node:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || (apt-get update && apt-get install -y nodejs npm)

# npm ci only when the packages are missing or older than the lock file: offline once installed.
$(NODE_PACKAGES)/node_modules: $(NODE_PACKAGES)/package-lock.json | node
	cd $(NODE_PACKAGES) && npm ci --no-audit --no-fund
	touch $@

## Benchmarks: print figures, assert nothing (see README).
bench: install-dev chromium
	@command -v wrk >/dev/null 2>&1 || (apt-get update && apt-get install -y wrk)
	$(BIN)/python bench/poll.py
	$(BIN)/python bench/workshop.py
	$(BIN)/python bench/live_latency.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/chaos.py --rounds 40

## The projector (1920 x 1080) and the console (1280 x 800) as pictures in docs/screens/, taken afresh.
screens: install-dev chromium
	$(BIN)/python bench/screens.py

clean:
	rm -rf $(VENV) .pytest_cache
