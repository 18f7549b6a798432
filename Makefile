# The two commands of the README: `make demo` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: demo test test-postgres test-ready browser harfbuzz card-tools messages lint format bench-demo bench-stats bench-analysis bench-reports bench-close bench-serve bench-intake bench-intake-ceiling bench-mixing clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The translations of the pages (surveys/i18n.py) and of the reports (reports/i18n.py), compiled from their .po
# files. `make messages` extracts the texts of the code and templates again and merges them into every .po, for
# translators.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard surveys/locale/*/LC_MESSAGES/messages.po reports/locale/*/LC_MESSAGES/reports.po))

surveys/locale/%/LC_MESSAGES/messages.mo: surveys/locale/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

reports/locale/%/LC_MESSAGES/reports.mo: reports/locale/%/LC_MESSAGES/reports.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -D reports -l $* -i $< -o $@

messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k tr -k trn:1,2 --no-location --omit-header --sort-output -o surveys/locale/messages.pot .
	$(BIN)/pybabel update -i surveys/locale/messages.pot -d surveys/locale --ignore-obsolete --no-fuzzy-matching -w 120
	$(BIN)/pybabel extract -F babel-reports.cfg -k t -k tn:1,2 -k plural:1,2 -k N_ --no-location --omit-header \
		--sort-output -o reports/locale/reports.pot .
	$(BIN)/pybabel update -D reports -i reports/locale/reports.pot -d reports/locale --ignore-obsolete --no-fuzzy-matching -w 120

demo: $(VENV)/.installed harfbuzz $(CATALOGS)
	$(BIN)/symmetry demo $(DEMO_ARGS)

test: test-ready
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: test-ready
	SYMMETRY_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

# What the tests need installed and compiled, done once before CI starts two test runs side by side.
test-ready: $(VENV)/.installed-dev browser harfbuzz card-tools $(CATALOGS)

# The browser tests drive Debian's Chromium (Playwright's own browser download does not work offline).
# As root on Debian it is installed here; elsewhere the tests say they were skipped, and why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	  else echo "chromium not found: the browser tests will be skipped (install Debian's chromium package)"; fi; }

# The open-link card test reads a printed card as a phone would: Poppler's pdftoppm draws the PDF, zbar's zbarimg
# decodes its QR code. Installed here as root on Debian; elsewhere that test says it was skipped, and why.
card-tools:
	@{ command -v pdftoppm && command -v zbarimg; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends poppler-utils zbar-tools; \
	  else echo "pdftoppm or zbarimg not found: the card decoding test will be skipped (poppler-utils, zbar-tools)"; fi; }

# WeasyPrint subsets the reports' fonts with HarfBuzz when Debian's libharfbuzz-subset0 is present, several times
# faster than its fontTools fallback. Installed here as root on Debian; elsewhere reports render, only slower.
harfbuzz:
	@ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libharfbuzz-subset0; \
	  else echo "libharfbuzz-subset0 not found: reports render with fontTools, more slowly"; fi; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench-demo: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_demo.py

bench-stats: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_stats.py

# pandas is the analyst's peer, measured only here.
bench-analysis: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/bench_analysis.py

bench-reports: $(VENV)/.installed-dev harfbuzz
	$(BIN)/python bench/bench_reports.py

bench-close: $(VENV)/.installed-dev harfbuzz
	$(BIN)/python bench/bench_close.py

# granian is measured beside uvicorn only here; wrk (Debian's package) drives both.
bench-serve: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python bench/bench_serve.py

bench-intake: $(VENV)/.installed-dev
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python bench/bench_intake.py

bench-intake-ceiling: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_intake_ceiling.py

bench-mixing: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_mixing.py

clean:
	rm -rf $(VENV) var symmetry-demo .pytest_cache .mypy_cache .ruff_cache
