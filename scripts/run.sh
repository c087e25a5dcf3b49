#!/usr/bin/env bash
# `make run`: set up everything and start Firmpay on its embedded default
# (SQLite, the Huey worker, the bundled Stripe sandbox). Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

PORT="${PORT:-8000}"
export PORT
export FIRMPAY_DATA_DIR="${FIRMPAY_DATA_DIR:-$PWD/data}"
export DEBUG="${DEBUG:-false}"
mkdir -p "$FIRMPAY_DATA_DIR/logs"
PY=.venv/bin/python

port_free() {
    .venv/bin/python - "$1" <<'PY'
import socket, sys
with socket.socket() as probe:
    try:
        probe.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
PY
}
# Refuse before starting anything, so a second `make run` cannot start a second worker
# and sandbox on the same data directory.
if ! port_free "$PORT"; then
    echo "Port $PORT is already in use (is Firmpay already running?). Stop it, or use PORT=8001 make run." >&2
    exit 1
fi
if [ -z "${STRIPE_API_BASE:-}" ] && [ -z "${STRIPE_SECRET_KEY:-}" ] && ! port_free "${STRIPE_SANDBOX_PORT:-12111}"; then
    echo "Port ${STRIPE_SANDBOX_PORT:-12111} for the Stripe sandbox is in use. Stop what uses it, or set STRIPE_SANDBOX_PORT." >&2
    exit 1
fi

pids=()
stop() {
    trap - INT TERM EXIT
    echo
    echo "==> Stopping Firmpay"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "==> Stopped"
}
trap stop INT TERM EXIT

if [ -f scripts/run_stripe.sh ]; then
    # Starts the sandbox unless STRIPE_API_BASE or real keys are set; exports what the app needs.
    # shellcheck source=/dev/null
    source scripts/run_stripe.sh
fi

$PY manage.py migrate --noinput >/dev/null
$PY manage.py collectstatic --noinput >/dev/null
$PY manage.py demo_seed
if declare -f after_migrate >/dev/null; then after_migrate; fi

.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers "${WEB_WORKERS:-2}" \
    --no-control-socket --access-logfile "$FIRMPAY_DATA_DIR/logs/access.log" --error-logfile - \
    --logger-class config.access_log.AccessLogger &
pids+=($!)
$PY manage.py run_huey --logfile "$FIRMPAY_DATA_DIR/logs/huey.log" &
pids+=($!)

sleep 1
echo
echo "Firmpay is running at http://127.0.0.1:$PORT"
echo "Demo login: owner@demo.firmpay.test / demo-password-2026"
echo "Press Ctrl-C to stop."
wait -n "${pids[@]}"
