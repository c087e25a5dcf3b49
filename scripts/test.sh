#!/usr/bin/env bash
# `make test`: the same bootstrap plus test tools and Debian's chromium, then the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
bash scripts/ensure_chromium.sh
exec .venv/bin/python -m pytest "$@"
