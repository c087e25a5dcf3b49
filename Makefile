.PHONY: run test lint bootstrap scale-test

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

lint:
	@bash scripts/bootstrap.sh test && .venv/bin/ruff check .

bootstrap:
	@bash scripts/bootstrap.sh

# PostgreSQL + Redis + 2 web processes + 3 Huey workers under faults (scripts/scale_test.py).
scale-test:
	@bash scripts/bootstrap.sh && .venv/bin/python scripts/scale_test.py
