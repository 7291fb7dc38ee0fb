# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make build   set up .venv, install editions, build source/ into dist/
#   make test    set up .venv with the test extras, run the whole suite
# and two more start and preview a book of your own:
#   make new NAME=mybook [TEMPLATE=novel|nonfiction|report]   create mybook/
#   make serve [SOURCE=mybook]   preview it at http://127.0.0.1:8000/ while you edit
# SOURCE (default source) and DIST (default dist) pick the book and the output folder.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SOURCE ?= source
DIST   ?= dist
# Ace by DAISY (EPUB accessibility checker), npm-installed into the git-ignored venv folder.
ACE_DIR     ?= $(VENV)/ace
ACE_VERSION ?= 1.4.6

TEMPLATE ?= novel

.PHONY: build test lint bench sysdeps sysdeps-test clean new serve

build: sysdeps $(VENV)/.installed
	$(BIN)/editions build $(SOURCE) --out $(DIST)

new: $(VENV)/.installed
	@test -n "$(NAME)" || { echo "make new: say which folder, e.g. make new NAME=mybook" >&2; exit 2; }
	$(BIN)/editions new $(NAME) --template $(TEMPLATE)

serve: sysdeps $(VENV)/.installed
	$(BIN)/editions serve $(SOURCE)

test: sysdeps-test $(VENV)/.installed-test $(ACE_DIR)/.installed
	$(BIN)/ruff check converters tests bench
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check converters tests bench

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py
	$(BIN)/python bench/incremental.py
	$(BIN)/python bench/long_books.py --jobs 2

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

# Puppeteer's own Chromium download is skipped: Ace runs Debian's chromium (see .ci/sysdeps).
# Offline or without npm this warns and the Ace tests skip with the reason.
$(ACE_DIR)/.installed: | $(BIN)/python
	@mkdir -p $(ACE_DIR)
	@PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix $(ACE_DIR) --no-audit --no-fund \
		--loglevel=error @daisy/ace-cli@$(ACE_VERSION) && touch $@ || \
		echo "ace: could not install @daisy/ace-cli with npm; the Ace tests will skip" >&2

clean:
	rm -rf $(VENV) $(DIST) .pytest_cache .ruff_cache *.egg-info
