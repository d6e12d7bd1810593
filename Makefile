# Talent Atlas: `make run` starts the dashboard, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test lint build

run: $(VENV)/.installed
	bash tools/ensure_fonts.sh
	$(PY) -m atlas build --if-missing
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: $(VENV)/.installed
	bash tools/ensure_chromium.sh
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

build: $(VENV)/.installed
	$(PY) -m atlas build

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@
