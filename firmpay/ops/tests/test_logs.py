import json
import logging

from firmpay.ops.logs import JsonFormatter
from firmpay.ops.redact import redact
from firmpay.ops.request_id import _current

LIVE_KEY = "sk_live_51HxYzAbCdEfGhIjKlMnOpQr"


def test_stripe_keys_and_webhook_secrets_are_redacted():
    text = f"key={LIVE_KEY} rk_test_abcdef123456 whsec_Zm9vYmFyYmF6cXV4"
    assert redact(text) == "key=[secret] [secret] [secret]"


def test_authorization_headers_and_bearer_tokens_are_redacted():
    assert "abc123secret" not in redact("{'Authorization': 'Bearer abc123secret456'}")
    assert "tok_abcdefgh" not in redact("sent Bearer tok_abcdefgh12")


def test_card_numbers_are_redacted_but_other_numbers_kept():
    assert redact("card 4242 4242 4242 4242 declined") == "card [card] declined"
    assert redact("card 4000-0566-5566-5556") == "card [card]"
    # Not a card (Luhn fails), an amount, an id: left alone.
    assert redact("order 1234567890123 total 120050") == "order 1234567890123 total 120050"


def test_configured_secrets_are_redacted_whatever_their_shape(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"password": "correct-horse-battery-staple"},
        }
    }
    settings.STRIPE_WEBHOOK_SECRET = ["old-rolled-secret-value", "new-secret-value-2026"]
    text = "smtp correct-horse-battery-staple, old-rolled-secret-value, new-secret-value-2026"
    assert redact(text) == "smtp [secret], [secret], [secret]"


def test_records_are_redacted_for_every_handler(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("firmpay.anything").info("calling Stripe with %s", LIVE_KEY)
    assert LIVE_KEY not in caplog.text
    assert "[secret]" in caplog.text


def test_exceptions_are_redacted_too(caplog):
    with caplog.at_level(logging.INFO):
        try:
            raise ValueError(f"bad key {LIVE_KEY}")
        except ValueError:
            logging.getLogger("firmpay.anything").exception("failed")
    assert LIVE_KEY not in caplog.text


def test_json_lines_carry_level_logger_message_and_request_id():
    token = _current.set("req-12345678")
    try:
        record = logging.getLogger("firmpay.x").makeRecord(
            "firmpay.x", logging.WARNING, __file__, 1, "paid %s", ("in_1",), None,
            extra={"invoice_id": 7},
        )  # fmt: skip
    finally:
        _current.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "firmpay.x"
    assert entry["message"] == "paid in_1"
    assert entry["request_id"] == "req-12345678"
    assert entry["invoice_id"] == 7
