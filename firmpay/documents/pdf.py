"""HTML to PDF with WeasyPrint (the system's Pango). Documents are rendered from the same
template fragments as the pages; nothing is fetched while rendering: the logo is inlined as
a data: URI and every other URL is refused."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string

from firmpay.documents.selectors import branding_for


def _fetcher():
    """Only data: URIs (the inlined logo); every other URL is refused."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=["data"], allow_redirects=False, fail_on_errors=False)


def document_context(*, firm) -> dict:
    branding = branding_for(firm=firm)
    logo = ""
    if branding.has_logo:
        encoded = base64.b64encode(bytes(branding.logo)).decode()
        logo = f"data:{branding.logo_type};base64,{encoded}"
    return {"firm": firm, "branding": branding, "locale": branding.locale, "logo_src": logo}


def pdf_render(*, template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_fetcher(), base_url="/").write_pdf()
