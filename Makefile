# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH ?=

.PHONY: run test lint fmt bench install clean i18n

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/advocacy up

lint: $(STAMP)
	$(BIN)/ruff check advocacy content_library workers tests
	$(BIN)/ruff format --check advocacy content_library workers tests
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	@[ -x /usr/bin/chromium ] || echo "browser tests (tests/e2e) skipped: Debian's chromium is not installed (apt-get install chromium)"
	@command -v npm >/dev/null || echo "OIDC tests (tests/integration/identity/oidc) skipped: Node.js and npm are not installed"
	$(BIN)/python -m pytest -q

fmt: $(STAMP)
	$(BIN)/ruff format advocacy content_library workers tests
	$(BIN)/ruff check --fix advocacy content_library workers tests

# Catalogues (advocacy/core/i18n.py): extract every message of the code and templates, then update the
# French and English .po files; translate what `git diff` shows with an empty msgstr.
LOCALE := advocacy/core/locale
i18n: $(STAMP)
	$(BIN)/pybabel --quiet extract -F $(LOCALE)/babel.cfg -k lazy_gettext --no-location --sort-output \
	  --project=advocacy --copyright-holder="Advocacy contributors" --width=110 -o $(LOCALE)/messages.pot .
	for lang in fr en; do \
	  if [ -f $(LOCALE)/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel --quiet update -i $(LOCALE)/messages.pot -d $(LOCALE) -l $$lang --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --width=110; \
	  else $(BIN)/pybabel --quiet init -i $(LOCALE)/messages.pot -d $(LOCALE) -l $$lang --width=110; fi; done

# The benchmarks load the server with wrk and compare Pillow with libvips: Debian packages, installed
# when missing (as root, the way CI machines run; otherwise it says what to install).
$(VENV)/.bench-installed: $(STAMP)
	@command -v wrk >/dev/null && ldconfig -p | grep -q libvips || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk libvips42 >/dev/null; \
	  else echo "make bench needs: apt-get install wrk libvips42"; exit 1; fi; }
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(VENV)/.bench-installed

bench: $(VENV)/.bench-installed
	$(BIN)/python -m tests.bench.run $(BENCH)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .bench
