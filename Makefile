.PHONY: run test lint bootstrap

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

lint:
	@bash scripts/bootstrap.sh test && .venv/bin/ruff check .

bootstrap:
	@bash scripts/bootstrap.sh
