"""Settings → Branding: the logo is checked for size and type from its bytes; the logo and
accent colour reach the client pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse
from PIL import Image

from firmpay.documents.models import FirmBranding
from firmpay.invoices.links import invoice_link_path
from firmpay.portal.tests.builders import portal_customer, sent_invoice

pytestmark = pytest.mark.django_db


def image_bytes(fmt="PNG", size=(120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 50, 0)).save(out, format=fmt)
    return out.getvalue()


def post_branding(owner_client, *, logo=None, **fields):
    data = {
        "address": "1 Ledger Lane",
        "tax_details": "",
        "accent_colour": "#aa3300",
        "locale": "en_GB",
        **fields,
    }
    if logo is not None:
        data["logo"] = logo
    return owner_client.post(reverse("documents:branding"), data)


def test_a_png_logo_and_accent_colour_are_saved_and_served(owner_client, firm):
    response = post_branding(
        owner_client, logo=SimpleUploadedFile("logo.png", image_bytes(), "image/png")
    )
    assert response.status_code == 302
    branding = FirmBranding.objects.get(firm=firm)
    assert (branding.logo_type, branding.accent_colour, branding.locale) == (
        "image/png",
        "#aa3300",
        "en_GB",
    )
    logo = Browser().get(reverse("documents:logo", args=[firm.pk, branding.version]))
    assert logo["Content-Type"] == "image/png" and bytes(logo.content) == bytes(branding.logo)
    css = Browser().get(reverse("documents:style", args=[firm.pk, branding.version]))
    assert b"--brand-accent: #aa3300" in css.content


def test_the_logo_type_is_judged_from_its_bytes_not_its_name(owner_client, firm):
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)></svg>", "image/png")
    response = post_branding(owner_client, logo=fake)
    assert "The logo must be a PNG or JPEG image." in response.content.decode()
    assert not FirmBranding.objects.filter(firm=firm).exists()


def test_a_gif_is_refused(owner_client, firm):
    gif = SimpleUploadedFile("logo.gif", image_bytes("GIF"), "image/gif")
    assert "PNG or JPEG" in post_branding(owner_client, logo=gif).content.decode()


def test_a_logo_over_512_kb_is_refused(owner_client, firm):
    big = SimpleUploadedFile("logo.png", b"\x89PNG" + b"0" * (512 * 1024 + 1), "image/png")
    assert "512 KB or smaller" in post_branding(owner_client, logo=big).content.decode()


def test_a_huge_image_is_refused(owner_client, firm):
    wide = SimpleUploadedFile("logo.png", image_bytes(size=(4001, 10)), "image/png")
    assert "4000 pixels" in post_branding(owner_client, logo=wide).content.decode()


def test_staff_cannot_change_branding(staff_client):
    assert post_branding(staff_client).status_code == 403


def test_the_client_invoice_page_shows_the_logo_and_accent(owner_client, firm):
    post_branding(owner_client, logo=SimpleUploadedFile("l.png", image_bytes(), "image/png"))
    invoice = sent_invoice(firm, portal_customer(firm))
    html = Browser().get(invoice_link_path(invoice)).content.decode()
    version = FirmBranding.objects.get(firm=firm).version
    assert reverse("documents:logo", args=[firm.pk, version]) in html
    assert reverse("documents:style", args=[firm.pk, version]) in html


@pytest.mark.django_db(transaction=True)
def test_the_invoice_email_carries_the_logo_and_accent_colour(owner_client, firm, settings):
    from django.core import mail

    settings.SITE_URL = "https://pay.example.test"
    post_branding(owner_client, logo=SimpleUploadedFile("l.png", image_bytes(), "image/png"))
    client = portal_customer(firm)
    sent_invoice(firm, client)
    message = next(m for m in mail.outbox if m.to == [client.email])
    ((html, mimetype),) = message.alternatives
    version = FirmBranding.objects.get(firm=firm).version
    assert mimetype == "text/html"
    assert f'src="https://pay.example.test/brand/{firm.pk}/logo-{version}"' in html
    assert "border-top:4px solid #aa3300" in html
