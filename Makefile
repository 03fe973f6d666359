# Tandem: everyday commands. `make` (or `make help`) lists them.
#
# `make run` and `make test` need nothing but Python 3.12+ and Node.js: where DATABASE_URL /
# REDIS_URL are unset they start an embedded PostgreSQL and Redis under .data/ (see
# config/local.py). Install steps are skipped when up to date: each leaves a stamp file
# beside what it built, newer than the lock file it came from.

SHELL := /bin/bash
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
LOCAL := $(PY) -m config.local

PY_STAMP := $(VENV)/.requirements-installed
NODE_STAMP := node_modules/.npm-ci-done
ASSETS_STAMP := static/vendor/.assets-built

# Extra arguments for test, bench and load, e.g. make test ARGS="-k cohort -x"
ARGS ?=

.PHONY: help install run test bench load lint format code backup restore env stop status clean distclean

help: ## List the commands
	@echo "Tandem: make <target>"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'
	@echo 'Pass arguments to pytest or run_bench with ARGS="...".'

install: $(PY_STAMP) $(ASSETS_STAMP) ## Create .venv, install Python and npm packages, build assets
	@echo "==> Installed: Python packages in $(VENV), front-end assets in static/"

run: install ## Serve the demo on http://127.0.0.1:8000 with a Celery worker and beat
	@$(LOCAL) run

test: install ## Run the lint, then pytest (options in ARGS="...")
	@$(LOCAL) test $(ARGS)

bench: install ## Run manage.py run_bench (options in ARGS="...")
	@$(LOCAL) bench $(ARGS)

load: install ## Load test: locust against gunicorn as in production (manage.py run_load ARGS)
	@$(LOCAL) load $(ARGS)

lint: $(PY_STAMP) ## ruff, mypy, the import contract and the template lint
	@$(LOCAL) lint

format: $(PY_STAMP) ## Reformat the Python code and apply ruff's safe fixes
	@$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

code: $(PY_STAMP) ## The current sign-in code of a demo account: make code ACCOUNT=coordinator
	@$(LOCAL) code $(ACCOUNT)

backup: $(PY_STAMP) ## Back the database up to backups/ (pg_dump custom format)
	@$(LOCAL) backup

restore: $(PY_STAMP) ## Restore FILE=backups/... into an empty database (DB=name, REPLACE=yes)
	@test -n "$(FILE)" || { echo "Name the backup: make restore FILE=backups/..." >&2; exit 2; }
	@$(LOCAL) restore "$(FILE)" $(if $(DB),--into "$(DB)") $(if $(filter yes,$(REPLACE)),--replace)

env: $(PY_STAMP) ## Start the embedded services, print export lines: eval "$(make -s env)"
	@$(LOCAL) env

stop: ## Stop the embedded PostgreSQL and Redis
	@if [ -x $(PY) ]; then $(LOCAL) stop; else echo "No $(VENV): nothing to stop"; fi

status: $(PY_STAMP) ## Say whether the embedded services are running
	@$(LOCAL) status

clean: ## Remove built assets, collected static files and caches (keeps .data and .venv)
	rm -rf static/vendor static/fonts static/images static/manifest.json
	rm -rf staticfiles .pytest_cache .ruff_cache test-results bench-results
	find . -path ./$(VENV) -prune -o -path ./node_modules -prune -o \
		-name __pycache__ -type d -prune -exec rm -rf {} +

distclean: stop clean ## Also remove .venv, node_modules and the local database (.data)
	rm -rf $(VENV) node_modules .data

# --- install steps -----------------------------------------------------------------------

# The virtualenv, made with the first Python 3.12+ found (the lock is resolved for 3.12): $PYTHON if set, else a python3.12 /
# python3.13 command that really runs (a pyenv shim may not), else the oldest pyenv 3.12+ build.
$(PY):
	@py=""; \
	if [ -n "$${PYTHON:-}" ]; then py="$$PYTHON"; \
	else \
		for cmd in python3.12 python3.13; do \
			if command -v "$$cmd" >/dev/null 2>&1 && "$$cmd" -c 'import sys' >/dev/null 2>&1; then \
				py="$$(command -v "$$cmd")"; break; \
			fi; \
		done; \
		if [ -z "$$py" ]; then \
			py="$$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 \
				/root/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V | head -n 1)"; \
		fi; \
	fi; \
	if [ -z "$$py" ] || ! "$$py" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Tandem needs Python 3.12 or newer (Django 6), and none was found." >&2; \
		echo "Install one, or point to it: make install PYTHON=/path/to/python3.12" >&2; \
		exit 1; \
	fi; \
	echo "==> Creating $(VENV) with $$py ($$("$$py" -c 'import platform; print(platform.python_version())'))"; \
	"$$py" -m venv $(VENV)

$(UV): | $(PY)
	@echo "==> Installing uv $(UV_VERSION) into $(VENV)"
	@$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(PY_STAMP): requirements.lock | $(UV)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
		echo "$(VENV) runs Python < 3.12; remove it (make distclean) and run make install" >&2; \
		exit 1; }
	@echo "==> Installing Python packages from requirements.lock"
	@$(UV) pip install --quiet --python $(PY) -r requirements.lock
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@echo "==> Installing npm packages (npm ci)"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(ASSETS_STAMP): $(NODE_STAMP) build-assets.mjs
	@echo "==> Building front-end assets into static/"
	@npm run --silent build
	@touch $@
