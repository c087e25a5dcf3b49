"""HTML to PDF with WeasyPrint (the system's Pango). Documents are rendered from the same
template fragments as the pages; nothing is fetched while rendering: the logo is inlined as
a data: URI and every other URL is refused."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string

from firmpay.documents.selectors import branding_for


class FetchRefused(ValueError):
    pass


def _no_fetch(url: str, *args, **kwargs):
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise FetchRefused(f"documents fetch nothing while rendering ({url[:40]})")


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
    return HTML(string=html, url_fetcher=_no_fetch, base_url="/").write_pdf()
