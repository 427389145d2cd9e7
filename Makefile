# The two set-up commands of the README: `make run` (the app on SQLite, demo data when empty) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# The port `make run` serves on: `make run PORT=8600`.
PORT ?= 8501

.PHONY: run serve test init demo browser-deps deploy-deps bench bench-quick clean

# Running the app installs what it needs; the test tools (pytest, Playwright, xlwt) come with `make test` only.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(TEST_STAMP)

init: $(STAMP)
	$(BIN)/tracker init

demo: init
	$(BIN)/tracker demo --if-empty

# ui/server.py: `streamlit run app.py` with the caches warmed before the first visitor and TCP_NODELAY on its sockets
run: demo
	$(BIN)/python -m ui.server --server.port $(PORT)

# N app processes on one database (TRACKER_DATABASE_URL; PostgreSQL for a deployment) behind nginx on
# http://127.0.0.1:8501, sticky sessions, one secret key (deploy/serve.py). N defaults to one per core; SERVE_ARGS
# passes more options (python -m deploy.serve --help), e.g. SERVE_ARGS="--listen 0.0.0.0:8501".
N ?=
SERVE_ARGS ?=
serve: init deploy-deps
	$(BIN)/python -m deploy.serve run $(if $(N),--processes $(N)) $(SERVE_ARGS)

# Browser tests need Debian's Chromium and CJK fonts (Playwright's own browser download does not work offline); the
# deck tests render PDFs to PNG with poppler-utils (pdftoppm, pdftotext). Chromium also draws the deck's charts (kaleido).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK" || ! command -v pdftoppm >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji \
			poppler-utils; \
	fi

# make serve and tests/test_deploy.py run Debian's nginx (as the calling user, with its own prefix directory; on a
# machine that runs services, installing the package also starts Debian's own nginx service on port 80, which
# neither uses); the TLS test makes its certificate with openssl.
deploy-deps:
	@if [ ! -x /usr/sbin/nginx ] || ! command -v openssl >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx openssl; \
	fi

test: $(TEST_STAMP) browser-deps deploy-deps
	$(BIN)/pytest

# The benchmarks time the overview in Chromium and N processes behind nginx: the same system packages as the tests.
bench: $(TEST_STAMP) browser-deps deploy-deps
	$(BIN)/python -m bench

bench-quick: $(TEST_STAMP) browser-deps deploy-deps
	$(BIN)/python -m bench --quick --out "$$(mktemp -d)/results.json"

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
