# shellcheck shell=bash
# Sourced by scripts/run.sh (`make run`). For each of Xero and QuickBooks Online without
# real app credentials (XERO_CLIENT_ID / QUICKBOOKS_CLIENT_ID unset), starts the bundled
# accounting sandbox in the background (its pid joins `pids`) and exports the XERO_* /
# QUICKBOOKS_* settings that point Firmpay at it, with the sandbox's demo client
# credentials. ACCOUNTING_SANDBOX=off skips it.

ACCOUNTING_SANDBOX_XERO_CLIENT_ID="SANDBOXXEROCLIENT0000000000000000"
ACCOUNTING_SANDBOX_XERO_CLIENT_SECRET="sandbox-xero-client-secret-0000000000000000"
ACCOUNTING_SANDBOX_QBO_CLIENT_ID="SANDBOXQBOCLIENT00000000000000000000000000000000"
ACCOUNTING_SANDBOX_QBO_CLIENT_SECRET="sandbox-qbo-client-secret-00000000000000"

accounting_sandbox_answers() {
    .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "$ACCOUNTING_SANDBOX_URL/_sandbox/clock" 2>/dev/null
}

accounting_sandbox_xero=false
accounting_sandbox_qbo=false
if [ "${ACCOUNTING_SANDBOX:-on}" != "off" ]; then
    [ -z "${XERO_CLIENT_ID:-}" ] && accounting_sandbox_xero=true
    [ -z "${QUICKBOOKS_CLIENT_ID:-}" ] && accounting_sandbox_qbo=true
fi

if $accounting_sandbox_xero || $accounting_sandbox_qbo; then
    ACCOUNTING_SANDBOX_PORT="${ACCOUNTING_SANDBOX_PORT:-12300}"
    ACCOUNTING_SANDBOX_URL="http://127.0.0.1:$ACCOUNTING_SANDBOX_PORT"
    export ACCOUNTING_SANDBOX_URL
    if ! port_free "$ACCOUNTING_SANDBOX_PORT"; then
        echo "Port $ACCOUNTING_SANDBOX_PORT for the accounting sandbox is in use. Stop what uses it," \
             "or set ACCOUNTING_SANDBOX_PORT (ACCOUNTING_SANDBOX=off to do without)." >&2
        exit 1
    fi
    echo "==> Starting the accounting sandbox (Xero + QuickBooks Online stand-in, test data only) on $ACCOUNTING_SANDBOX_URL"
    .venv/bin/python -m accounting_sandbox --host 127.0.0.1 --port "$ACCOUNTING_SANDBOX_PORT" \
        --data "$FIRMPAY_DATA_DIR/accounting_sandbox.sqlite3" \
        --xero-client-id "$ACCOUNTING_SANDBOX_XERO_CLIENT_ID" \
        --xero-client-secret "$ACCOUNTING_SANDBOX_XERO_CLIENT_SECRET" \
        --xero-app-created "${ACCOUNTING_SANDBOX_XERO_APP_CREATED:-2026-03-10}" \
        --quickbooks-client-id "$ACCOUNTING_SANDBOX_QBO_CLIENT_ID" \
        --quickbooks-client-secret "$ACCOUNTING_SANDBOX_QBO_CLIENT_SECRET" \
        >>"$FIRMPAY_DATA_DIR/logs/accounting_sandbox.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        if accounting_sandbox_answers; then break; fi
        if ! kill -0 "${pids[-1]}" 2>/dev/null; then
            echo "The accounting sandbox did not start; see $FIRMPAY_DATA_DIR/logs/accounting_sandbox.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    if ! accounting_sandbox_answers; then
        echo "The accounting sandbox is not answering on $ACCOUNTING_SANDBOX_URL" >&2
        exit 1
    fi
fi

if $accounting_sandbox_xero; then
    export XERO_CLIENT_ID="$ACCOUNTING_SANDBOX_XERO_CLIENT_ID"
    export XERO_CLIENT_SECRET="$ACCOUNTING_SANDBOX_XERO_CLIENT_SECRET"
    export XERO_AUTHORIZE_URL="$ACCOUNTING_SANDBOX_URL/xero/identity/connect/authorize"
    export XERO_TOKEN_URL="$ACCOUNTING_SANDBOX_URL/xero/connect/token"
    export XERO_REVOKE_URL="$ACCOUNTING_SANDBOX_URL/xero/connect/revocation"
    export XERO_API_BASE="$ACCOUNTING_SANDBOX_URL/xero"
    export XERO_APP_URL="$ACCOUNTING_SANDBOX_URL/xero/app"
else
    echo "==> Xero: using the app credentials in XERO_CLIENT_ID"
fi
if $accounting_sandbox_qbo; then
    export QUICKBOOKS_CLIENT_ID="$ACCOUNTING_SANDBOX_QBO_CLIENT_ID"
    export QUICKBOOKS_CLIENT_SECRET="$ACCOUNTING_SANDBOX_QBO_CLIENT_SECRET"
    export QUICKBOOKS_AUTHORIZE_URL="$ACCOUNTING_SANDBOX_URL/quickbooks/connect/oauth2"
    export QUICKBOOKS_TOKEN_URL="$ACCOUNTING_SANDBOX_URL/quickbooks/oauth2/v1/tokens/bearer"
    export QUICKBOOKS_REVOKE_URL="$ACCOUNTING_SANDBOX_URL/quickbooks/v2/oauth2/tokens/revoke"
    export QUICKBOOKS_API_BASE="$ACCOUNTING_SANDBOX_URL/quickbooks"
    export QUICKBOOKS_APP_URL="$ACCOUNTING_SANDBOX_URL/quickbooks"
else
    echo "==> QuickBooks Online: using the app credentials in QUICKBOOKS_CLIENT_ID"
fi
