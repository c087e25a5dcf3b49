#!/usr/bin/env bash
# Finds a Python >= 3.12, creates .venv and installs Firmpay into it (with test extras
# when asked). Idempotent: re-running only installs what changed in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

EXTRAS="${1:-}"
VENV=".venv"

python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate
    for candidate in python3.13 python3.12 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
            command -v "$candidate"; return 0
        fi
    done
    # pyenv puts shims on PATH that refuse versions not selected; look in its versions too.
    local root="${PYENV_ROOT:-$HOME/.pyenv}"
    for candidate in "$root"/versions/3.13*/bin/python3 "$root"/versions/3.12*/bin/python3 \
                     /usr/local/bin/python3.13 /usr/local/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12; do
        if [ -x "$candidate" ] && python_ok "$candidate"; then
            echo "$candidate"; return 0
        fi
    done
    return 1
}

if [ ! -x "$VENV/bin/python" ] || ! python_ok "$VENV/bin/python"; then
    if ! PYTHON="$(find_python)"; then
        echo "Firmpay needs Python 3.12 or newer and found none." >&2
        echo "Install one, e.g. 'apt-get install python3.12 python3.12-venv' (Debian/Ubuntu)," >&2
        echo "'brew install python@3.13' (macOS) or 'pyenv install 3.13', then run this again." >&2
        exit 1
    fi
    echo "==> Creating $VENV with $PYTHON ($("$PYTHON" --version))"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi

STAMP="$VENV/.installed${EXTRAS:+-$EXTRAS}"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    echo "==> Installing dependencies${EXTRAS:+ (with $EXTRAS extras)}"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    spec="."
    [ -n "$EXTRAS" ] && spec=".[$EXTRAS]"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
    touch "$STAMP"
fi
bash scripts/ensure_pdf_libs.sh
