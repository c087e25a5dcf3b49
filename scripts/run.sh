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
    --access-logfile "$FIRMPAY_DATA_DIR/logs/access.log" --error-logfile - &
pids+=($!)
$PY manage.py run_huey --logfile "$FIRMPAY_DATA_DIR/logs/huey.log" &
pids+=($!)

sleep 1
echo
echo "Firmpay is running at http://127.0.0.1:$PORT"
echo "Demo login: owner@demo.firmpay.test / demo-password-2026"
echo "Press Ctrl-C to stop."
wait -n "${pids[@]}"
