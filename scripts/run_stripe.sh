# shellcheck shell=bash
# Sourced by scripts/run.sh (`make run`). Unless STRIPE_API_BASE or STRIPE_SECRET_KEY is
# set, starts the bundled Stripe sandbox in the background (its pid joins `pids`), waits
# until it answers and exports what Firmpay needs to talk to it. Defines `after_migrate`,
# which registers the Connect webhook endpoint (manage.py stripe_setup).

STRIPE_SANDBOX_PLATFORM_KEY="sk_test_sandbox_platform_0000000000000000"
STRIPE_SANDBOX_CLIENT_ID="ca_SandboxPlatform000000000000000"

sandbox_answers() {
    .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "$STRIPE_API_BASE/_sandbox/clock" 2>/dev/null
}

if [ -z "${STRIPE_API_BASE:-}" ] && [ -z "${STRIPE_SECRET_KEY:-}" ]; then
    STRIPE_SANDBOX_PORT="${STRIPE_SANDBOX_PORT:-12111}"
    echo "==> Starting the Stripe sandbox on 127.0.0.1:$STRIPE_SANDBOX_PORT (no real money moves)"
    .venv/bin/python -m stripe_sandbox --host 127.0.0.1 --port "$STRIPE_SANDBOX_PORT" \
        --data "$FIRMPAY_DATA_DIR/stripe_sandbox.sqlite3" \
        --secret-key "$STRIPE_SANDBOX_PLATFORM_KEY" --client-id "$STRIPE_SANDBOX_CLIENT_ID" \
        >>"$FIRMPAY_DATA_DIR/logs/stripe_sandbox.log" 2>&1 &
    pids+=($!)
    export STRIPE_API_BASE="http://127.0.0.1:$STRIPE_SANDBOX_PORT"
    export STRIPE_SECRET_KEY="$STRIPE_SANDBOX_PLATFORM_KEY"
    export STRIPE_CONNECT_CLIENT_ID="$STRIPE_SANDBOX_CLIENT_ID"
    export STRIPE_SANDBOX_MODE="${STRIPE_SANDBOX_MODE:-true}"
    for _ in $(seq 1 100); do
        if sandbox_answers; then break; fi
        if ! kill -0 "${pids[-1]}" 2>/dev/null; then
            echo "The Stripe sandbox did not start; see $FIRMPAY_DATA_DIR/logs/stripe_sandbox.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    sleep 0.2
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
        # Something else answers on that port (another sandbox?): do not borrow it.
        echo "The Stripe sandbox could not start on port $STRIPE_SANDBOX_PORT (in use?);" \
             "set STRIPE_SANDBOX_PORT. Log: $FIRMPAY_DATA_DIR/logs/stripe_sandbox.log" >&2
        exit 1
    fi
    if ! sandbox_answers; then
        echo "The Stripe sandbox is not answering on $STRIPE_API_BASE" >&2
        exit 1
    fi
elif [ -n "${STRIPE_API_BASE:-}" ]; then
    echo "==> Using the Stripe-compatible server at $STRIPE_API_BASE"
    export STRIPE_SECRET_KEY="${STRIPE_SECRET_KEY:-$STRIPE_SANDBOX_PLATFORM_KEY}"
    export STRIPE_CONNECT_CLIENT_ID="${STRIPE_CONNECT_CLIENT_ID:-$STRIPE_SANDBOX_CLIENT_ID}"
else
    echo "==> Using Stripe with the configured keys"
fi

after_migrate() {
    # Registers <SITE_URL>/webhooks/stripe/ (connect=true) and stores its signing secret.
    if ! .venv/bin/python manage.py stripe_setup; then
        echo "WARNING: stripe_setup failed; webhooks from Stripe will be refused until it succeeds" >&2
    fi
}
