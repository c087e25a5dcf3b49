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
    .venv/bin/python scripts/port_free.py "$1"
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
declare -A part_of  # pid -> what it is, for the message when it dies
stop() {
    trap - INT TERM EXIT
    echo
    echo "==> Stopping Firmpay"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "==> Stopped"
    exit "${1:-0}"
}
trap 'stop 130' INT
trap 'stop 143' TERM
trap 'stop $?' EXIT

if [ -f scripts/run_stripe.sh ]; then
    # Starts the sandbox unless STRIPE_API_BASE or real keys are set; exports what the app needs.
    # shellcheck source=/dev/null
    source scripts/run_stripe.sh
fi
for pid in "${pids[@]}"; do [ -n "${part_of[$pid]:-}" ] || part_of[$pid]="the Stripe sandbox"; done
if [ -f scripts/run_accounting.sh ]; then
    # Starts the accounting sandbox for Xero / QuickBooks without credentials; exports their URLs.
    # shellcheck source=/dev/null
    source scripts/run_accounting.sh
fi
for pid in "${pids[@]}"; do [ -n "${part_of[$pid]:-}" ] || part_of[$pid]="the accounting sandbox"; done

$PY manage.py migrate --noinput >/dev/null
$PY manage.py collectstatic --noinput >/dev/null
$PY manage.py demo_seed
if declare -f after_migrate >/dev/null; then after_migrate; fi

# gunicorn reads gunicorn.conf.py from here: its access log redacts bearer tokens.
.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers "${WEB_WORKERS:-2}" \
    --no-control-socket --access-logfile "$FIRMPAY_DATA_DIR/logs/access.log" --error-logfile - \
    --logger-class firmpay.ops.access_log.AccessLogger &
pids+=($!)
part_of[$!]="the web server (gunicorn)"

worker_start() {
    $PY manage.py run_huey --logfile "$FIRMPAY_DATA_DIR/logs/huey.log" &
    pids+=($!)
    part_of[$!]="the background worker (Huey)"
    worker_pid=$!
}
worker_start
worker_deaths=()

sleep 1
echo
echo "Firmpay is running at http://127.0.0.1:$PORT"
echo "Demo login: owner@demo.firmpay.test / demo-password-2026"
if [ -n "${ACCOUNTING_SANDBOX_URL:-}" ]; then
    echo "Accounting sandbox (Xero / QuickBooks ledgers, test data only): $ACCOUNTING_SANDBOX_URL/"
fi
echo "Press Ctrl-C to stop."

# Supervise: a worker that dies is started again (its work lives in rows, nothing is lost),
# unless it keeps dying (5 times in a minute); if the web server or the sandbox dies,
# everything stops, saying which part died.
while true; do
    died=""
    status=0
    wait -n -p died "${pids[@]}" || status=$?
    [ -n "$died" ] || continue
    alive=()
    for pid in "${pids[@]}"; do
        if [ "$pid" != "$died" ]; then alive+=("$pid"); fi
    done
    pids=("${alive[@]}")
    what="${part_of[$died]:-a process}"
    if [ "$died" = "$worker_pid" ]; then
        now=$(date +%s)
        worker_deaths+=("$now")
        recent=0
        for at in "${worker_deaths[@]}"; do
            if [ $((now - at)) -lt 60 ]; then recent=$((recent + 1)); fi
        done
        if [ "$recent" -lt 5 ]; then
            echo "==> $what exited (status $status); starting it again" >&2
            worker_start
            continue
        fi
        echo "==> $what died 5 times within a minute (last status $status); see $FIRMPAY_DATA_DIR/logs/huey.log" >&2
    else
        echo "==> $what exited (status $status); stopping Firmpay" >&2
    fi
    stop 1
done
