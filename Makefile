# The two commands a newcomer needs: `make run` and `make test`. Both create .venv and
# install what they need on first use (and again when a requirements file changes).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEPS := $(VENV)/.deps-installed

.PHONY: run demo-logins test test-clock lint format bench deps messages clean-var screenshots

$(DEPS): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

deps: $(DEPS)

# axe-core, from the npm registry, for the browser tests' accessibility checks only (never
# served). Without npm they are skipped with the reason (a failure under CI=true).
AXE := web/tests/axe/node_modules/axe-core/axe.min.js
$(AXE): web/tests/axe/package.json web/tests/axe/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix web/tests/axe --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

# Ctrl-C stops every process and the script exits 0 (make itself still reports the
# interrupt to the shell, as any command stopped with Ctrl-C does).
run: $(DEPS)
	@$(PY) scripts/devrun.py

# The demo logins with their current TOTP codes, and the demo phone cards, again.
demo-logins: $(DEPS)
	@$(PY) scripts/devrun.py --logins

test: $(DEPS) $(AXE)
	$(PY) -m pytest $(PYTEST_ARGS)

# The date-sensitive tests (marked `dates`) again with the clock moved (`--clock`, see
# conftest.py): from 23:59:30 UTC today, so midnight passes during the run, and from
# 00:01 UTC on the first of next month (a new day and month, and in December a new
# year). Any moment works: make test-clock CLOCKS="2027-01-01T00:01:00Z".
# pytest's exit code 5 (no test selected) fails like any other.
NEXT_MONTH := $(shell date -u -d "$$(date -u +%Y-%m-01) +1 month" +%Y-%m-01 2>/dev/null)
CLOCKS ?= 23:59:30 $(if $(NEXT_MONTH),$(NEXT_MONTH)T00:01:00Z,00:01)
test-clock: $(DEPS)
	@set -e; for clock in $(CLOCKS); do \
		echo "== date-sensitive tests at $$clock"; \
		$(PY) -m pytest -m dates --clock=$$clock $(PYTEST_ARGS); \
	done

# Each role's key pages at 1280 and 360 px, in English and Chinese, as PNGs under
# var/screenshots/<language>/<role>/<width>/ for people to look at (no pixel comparison).
screenshots: $(DEPS) $(AXE)
	rm -rf var/screenshots
	SCREENSHOTS_DIR=var/screenshots $(PY) -m pytest web/tests/test_screens.py -p no:cacheprovider -q
	@echo "screenshots in var/screenshots/"

lint: $(DEPS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(DEPS)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Every benchmark in the production shape (gunicorn, PostgreSQL, Redis, real HTTP from
# another process; see benchmarks/harness.py), then README's table from their JSON.
# Needs PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL): exit code 2 without.
bench: $(DEPS)
	$(PY) -m benchmarks $(BENCH_ARGS)
	$(PY) -m benchmarks.table var/bench/*.json

# Refresh the Chinese catalogue after changing user-facing strings, translate the new
# entries in locale/zh_Hans/LC_MESSAGES/django.po, then run this again to compile.
messages: $(DEPS)
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var \
		--ignore=static/vendor --ignore=vos3000 --ignore=benchmarks --ignore=scripts
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

clean-var:
	rm -rf var
