# Talent Atlas: `make run` starts the dashboard, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

LOCALES := atlas/locale
CATALOGS := $(wildcard $(LOCALES)/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run serve test lint build catalog

# The app's own modules compiled to bytecode before any process starts: where PYTHONDONTWRITEBYTECODE
# is set, Python reads a compiled file but never writes one, and each server (the tests start about
# a hundred) compiled every module it imports again (measured: a server's start 1.7 -> 1.3 s of CPU).
COMPILE_APP := $(PY) -m compileall -q -j 0 atlas app.py pages >/dev/null

run: $(VENV)/.installed $(COMPILED)
	bash tools/ensure_fonts.sh
	$(COMPILE_APP)
	$(PY) -m atlas build --if-missing
	$(PY) -m streamlit run app.py --server.port $(PORT)

# A team: N Streamlit processes on read-only snapshots behind HAProxy (atlas/serve.py)
PROCESSES ?= 2
serve: $(VENV)/.installed $(COMPILED)
	bash tools/ensure_fonts.sh
	bash tools/ensure_haproxy.sh
	$(COMPILE_APP)
	$(PY) -m atlas build --if-missing
	$(PY) -m atlas serve --processes $(PROCESSES) --port $(PORT)

# in parallel (pytest-xdist): a module's tests stay on one worker, in order, sharing its server.
# Four workers on two cores: most of a browser test's time is spent waiting for a page, so two
# workers left the cores half idle. Modules go out in the order tests/conftest.py gives (the longest
# first: xdist's own reorder, by test count, sent the one-test benchmark last). The slowest tests are
# listed at the end (README: "The tests"). Bytecode is written during the run even where
# PYTHONDONTWRITEBYTECODE is set: each worker otherwise compiled and rewrote every test module
# again (collection 6.8 -> 3.3 s of CPU per worker).
WORKERS ?= 4
test: $(VENV)/.installed $(COMPILED)
	bash tools/ensure_chromium.sh
	$(COMPILE_APP)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(WORKERS) --dist loadscope --no-loadscope-reorder --durations=15

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

build: $(VENV)/.installed $(COMPILED)
	$(PY) -m atlas build

# The interface's translations (atlas/i18n.py): extract the marked texts, merge them into each
# catalog (new texts come in untranslated; tests/test_i18n.py fails until they are translated)
catalog: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k L_ -k ngettext:1,2 -k NP_:1c,2 -k pgettext:1c,2 --no-location --sort-output \
		--no-wrap --project "Talent Atlas" --msgid-bugs-address "the Talent Atlas team" -o $(LOCALES)/messages.pot . 2>/dev/null
	$(VENV)/bin/pybabel update --no-wrap --no-fuzzy-matching -i $(LOCALES)/messages.pot -d $(LOCALES)

# compiled at every build from the catalog (the .mo files are not committed)
$(LOCALES)/%/LC_MESSAGES/messages.mo: $(LOCALES)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d $(LOCALES) -l $*

# uv installs the pinned requirements in 17 s where pip took 45 s; pip where uv cannot reach a
# package index (it reads no pip.conf). Both compile every module to bytecode at install: where
# PYTHONDONTWRITEBYTECODE is set (as on this machine) nothing is compiled later, and every process
# the tests start would compile its imports again (measured: the suite 12 -> 16 min without).
UV_VERSION := 0.13.10
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	( $(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION) \
	  && $(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -r requirements.txt ) \
	|| $(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@
