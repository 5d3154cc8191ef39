# The two commands a newcomer needs: `make run` and `make test`. Both create .venv and
# install what they need on first use (and again when a requirements file changes).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEPS := $(VENV)/.deps-installed

.PHONY: run test lint format bench deps messages clean-var

$(DEPS): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

deps: $(DEPS)

run: $(DEPS)
	$(PY) scripts/devrun.py

test: $(DEPS)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(DEPS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(DEPS)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(DEPS)
	$(PY) -m benchmarks $(BENCH_ARGS)

# Refresh the Chinese catalogue after changing user-facing strings, translate the new
# entries in locale/zh_Hans/LC_MESSAGES/django.po, then run this again to compile.
messages: $(DEPS)
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var \
		--ignore=static/vendor --ignore=vos3000 --ignore=benchmarks --ignore=scripts
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

clean-var:
	rm -rf var
