# Two commands for a fresh machine (Python 3.11+ and pip):
#   make demo   set everything up and run the demo against the local sandbox
#   make test   set everything up and run the whole test suite (lint included)
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
PYTHON ?= python3

.PHONY: setup demo test lint format clean

$(UV):
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --user --quiet uv || $(PYTHON) -m pip install --quiet uv

setup: $(UV)
	@UV=$$(command -v uv || echo $(UV)); $$UV sync --frozen

demo: setup
	@UV=$$(command -v uv || echo $(UV)); $$UV run --frozen pmo demo

lint: setup
	@UV=$$(command -v uv || echo $(UV)); $$UV run --frozen ruff check . && $$UV run --frozen ruff format --check .

test: setup lint
	@UV=$$(command -v uv || echo $(UV)); ./scripts/test.sh

format: setup
	@UV=$$(command -v uv || echo $(UV)); $$UV run --frozen ruff format . && $$UV run --frozen ruff check --fix .

clean:
	rm -rf .pmo .pytest_cache .ruff_cache
