# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make build   set up .venv, install editions, build source/ into dist/
#   make test    set up .venv with the test extras, run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SOURCE ?= source
DIST   ?= dist

.PHONY: build test lint bench sysdeps sysdeps-test clean

build: sysdeps $(VENV)/.installed
	$(BIN)/editions build $(SOURCE) --out $(DIST)

test: sysdeps-test $(VENV)/.installed-test
	$(BIN)/ruff check converters tests bench
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check converters tests bench

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

sysdeps:
	@sh .ci/sysdeps build

sysdeps-test:
	@sh .ci/sysdeps test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) $(DIST) .pytest_cache .ruff_cache *.egg-info
