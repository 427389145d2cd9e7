# The two set-up commands of the README: `make run` (the app on SQLite, demo data when empty) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test init demo browser-deps bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

init: $(STAMP)
	$(BIN)/tracker init

demo: init
	$(BIN)/tracker demo --if-empty

# ui/server.py: `streamlit run app.py` with the caches warmed before the first visitor and TCP_NODELAY on its sockets
run: demo
	$(BIN)/python -m ui.server

# Browser tests need Debian's Chromium and CJK fonts (Playwright's own browser download does not work offline); the
# deck tests render PDFs to PNG with poppler-utils (pdftoppm, pdftotext). Chromium also draws the deck's charts (kaleido).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK" || ! command -v pdftoppm >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji \
			poppler-utils; \
	fi

test: $(STAMP) browser-deps
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick --out "$$(mktemp -d)/results.json"

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
