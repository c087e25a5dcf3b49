"""No bearer token in any log (issue 19, finding 5): a journey through client links,
invitations, password reset, unsubscribe and OAuth callbacks, logged by gunicorn's access
logger (the class gunicorn.conf.py names) and by Django's own logging; then every log file
is read and no token from the database or the emails appears in it."""

import logging
import re
import secrets
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from gunicorn.config import Config

from firmpay.clients.tests.builders import client_build
from firmpay.invoices.links import invoice_link_path, link_sign
from firmpay.invoices.models import Invoice
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build
from firmpay.ops.access_log import AccessLogger
from firmpay.ops.redact import redact_url
from firmpay.reminders.tokens import unsubscribe_token
from firmpay.tenancy.models import Invitation
from firmpay.tenancy.tests.factories import client_for, make_firm, make_owner, make_user

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")


def test_gunicorn_conf_names_the_redacting_logger():
    cfg = Config()
    cfg.set("logger_class", "firmpay.ops.access_log.AccessLogger")
    namespace: dict = {}
    exec(open("gunicorn.conf.py").read(), namespace)  # noqa: S102 - our own config file
    assert namespace["logger_class"] == "firmpay.ops.access_log.AccessLogger"
    assert cfg.logger_class is AccessLogger


class Journey:
    """Requests through the Django test client, each written to gunicorn's access log as
    gunicorn writes it (the real Logger class, format and file)."""

    def __init__(self, log_dir):
        cfg = Config()
        cfg.set("accesslog", str(log_dir / "access.log"))
        cfg.set("logger_class", "firmpay.ops.access_log.AccessLogger")
        self.access = cfg.logger_class(cfg)
        self.django_log = logging.FileHandler(log_dir / "django.log")
        logging.getLogger().addHandler(self.django_log)

    def close(self):
        logging.getLogger().removeHandler(self.django_log)
        self.django_log.close()
        for handler in self.access.access_log.handlers:
            handler.close()

    def visit(self, client, method, url, data=None, referer=None):
        headers = {"HTTP_REFERER": referer} if referer else {}
        response = getattr(client, method)(url, data, **headers)
        environ = dict(response.wsgi_request.META)
        environ.update(RAW_URI=url, SERVER_PROTOCOL="HTTP/1.1")
        resp = SimpleNamespace(
            status=f"{response.status_code} X",
            sent=len(response.content),
            headers=list(response.items()),
        )
        req = SimpleNamespace(headers=[("Referer", referer or "-")])
        self.access.access(resp, req, environ, timedelta(milliseconds=3))
        return response


@pytest.fixture
def journey(tmp_path):
    walk = Journey(tmp_path)
    yield walk
    walk.close()


def links_in_mail() -> list[str]:
    return [link for message in mail.outbox for link in LINK.findall(message.body)]


def test_no_token_reaches_any_log_file(journey, tmp_path, client, settings):
    settings.SITE_URL = "http://testserver"
    firm = make_firm()
    owner = make_owner(firm)
    staff = client_for(owner, firm)
    acme = client_build(firm=firm, name="Acme Ltd")
    invoice = invoice_send(invoice=invoice_build(firm=firm, client=acme))
    page = invoice_link_path(invoice)

    # The client's link, its Pay form, a page it links to, and a guessed link (404).
    journey.visit(client, "get", page)
    journey.visit(
        client, "post", page + "pay/", {"amount": "1e999999"}, referer="http://testserver" + page
    )
    journey.visit(client, "get", "/i/" + link_sign(secrets.token_urlsafe(32)) + "/")
    # An invitation, opened by the invited person.
    journey.visit(
        staff,
        "post",
        reverse("tenancy:invitation_create"),
        {"email": "new@x.test", "role": "staff"},
    )
    # A password reset, opened.
    make_user(email="ann@firm.test")
    journey.visit(client, "post", reverse("tenancy:password_reset"), {"email": "ann@firm.test"})
    for link in links_in_mail():
        path = link.removeprefix("http://testserver")
        journey.visit(client, "get", path)
    # The unsubscribe link of a reminder, and OAuth callbacks with a code and a state.
    journey.visit(
        client, "get", reverse("reminders:unsubscribe", args=[unsubscribe_token(acme.pk)])
    )
    code, state = "ac_" + secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    journey.visit(
        staff, "get", reverse("integrations:stripe_oauth_callback") + f"?code={code}&state={state}"
    )
    journey.visit(staff, "get", reverse("accounting:xero_callback") + f"?code={code}&state={state}")

    tokens = {code, state, unsubscribe_token(acme.pk)}
    for row in Invoice.objects.all():
        tokens |= {row.link_token, link_sign(row.link_token)}
    tokens |= set(Invitation.objects.values_list("token", flat=True))
    for link in links_in_mail():
        tokens |= {part for part in link.split("/") if len(part) >= 20}
    assert len(tokens) >= 7
    logs = {path.name: path.read_text() for path in tmp_path.rglob("*") if path.is_file()}
    assert "access.log" in logs and logs["access.log"].count("\n") >= 8
    for name, text in logs.items():
        leaked = [token for token in tokens if token in text]
        assert not leaked, f"{name} holds {leaked}"
    assert "/i/[redacted]/" in logs["access.log"]
    assert "code=[redacted]&state=[redacted]" in logs["access.log"]


@pytest.mark.parametrize(
    ("url", "logged"),
    [
        ("/i/abc:def/pay/", "/i/[redacted]/pay/"),
        ("/invitations/" + "A1b2" * 11 + "/", "/invitations/[redacted]/"),
        (
            "/password/reset/MQ/d4s5-0123456789abcdef0123456789abcdef/",
            "/password/reset/[redacted]/[redacted]/",
        ),
        (
            "/settings/integrations/stripe/oauth/callback/?code=ac_1&state=s",
            "/settings/integrations/stripe/oauth/callback/?code=[redacted]&state=[redacted]",
        ),
        ("/invoices/12/?page=2", "/invoices/12/?page=2"),
    ],
)
def test_urls_keep_their_shape_without_their_tokens(url, logged):
    assert redact_url(url) == logged
