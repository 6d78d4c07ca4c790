# Two commands for a fresh machine (Python 3.11+ and pip, nothing else):
#   make demo   set everything up and run the demo against the local sandbox
#   make test   set everything up and run the whole test suite (lint and mypy included); CI runs this
SHELL := /bin/bash
PYTHON ?= python3
# uv from PATH, else the copy pip installs for $(PYTHON) (`python -m uv` finds its binary).
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(PYTHON) -m uv
endif
# Byte-compile on install: every later start (CLI, workers, test processes) imports faster.
export UV_COMPILE_BYTECODE := 1

.PHONY: uv setup demo test lint format clean

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv \
		|| $(PYTHON) -m pip install --quiet --user uv \
		|| $(PYTHON) -m pip install --quiet --user --break-system-packages uv

setup: uv
	@$(UV) sync --frozen --quiet

demo: setup
	@$(UV) run --frozen pmo demo

lint: setup
	@$(UV) run --frozen ruff check . && $(UV) run --frozen ruff format --check .
	@$(UV) run --frozen mypy

test: lint
	@UV="$(UV)" ./scripts/test.sh

format: setup
	@$(UV) run --frozen ruff format . && $(UV) run --frozen ruff check --fix .

clean:
	rm -rf .pmo .pytest_cache .ruff_cache .mypy_cache
