# Everyday commands; run them inside the venv (see README).
.PHONY: up test lint bench check

up:
	smart up --demo

test:
	python -m pytest -q -p no:cacheprovider

lint:
	ruff check .
	ruff format --check .
	mypy shared services

bench:
	python -m bench

check: lint test
