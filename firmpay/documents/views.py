"""Settings → Branding, the logo and accent stylesheet served to client pages, and the
firm's own download of an invoice PDF."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control

from firmpay.documents.documents import invoice_pdf, invoice_pdf_filename
from firmpay.documents.exceptions import LogoRefused
from firmpay.documents.forms import BrandingForm
from firmpay.documents.models import DEFAULT_ACCENT, FirmBranding
from firmpay.documents.selectors import branding_for
from firmpay.documents.services import LOGO_MAX_BYTES, branding_update
from firmpay.invoices.selectors import invoice_get
from firmpay.tenancy.decorators import action_required, member_required
from firmpay.tenancy.roles import Action

# The firm's accent on the pages its clients see (served as a file: the CSP allows no
# inline styles). ACCENT is a validated #rrggbb.
BRAND_CSS = """:root { --brand-accent: ACCENT; }
.topbar { border-bottom: 3px solid var(--brand-accent); }
.topbar .brand, h1 { color: var(--brand-accent); }
button.primary, .button.primary, #pay-button { background: var(--brand-accent);
  border-color: var(--brand-accent); }
.brand-logo { vertical-align: middle; margin-right: 0.5rem; }
"""


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@action_required(Action.FIRM_EDIT)
def branding_settings(request):
    firm = request.firm
    branding = branding_for(firm=firm)
    initial = {
        "address": branding.address,
        "tax_details": branding.tax_details,
        "accent_colour": branding.accent_colour,
        "locale": branding.locale,
    }
    form = BrandingForm(initial=initial)
    if request.method == "POST":
        form = BrandingForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["logo"]
            try:
                if upload is not None and upload.size > LOGO_MAX_BYTES:
                    raise LogoRefused("The logo must be 512 KB or smaller.")
                branding_update(
                    firm=firm,
                    address=form.cleaned_data["address"],
                    tax_details=form.cleaned_data["tax_details"],
                    accent_colour=form.cleaned_data["accent_colour"],
                    locale=form.cleaned_data["locale"],
                    logo=upload.read() if upload is not None else None,
                    remove_logo=form.cleaned_data["remove_logo"],
                    request=request,
                )
            except LogoRefused as error:
                form.add_error("logo", str(error))
            else:
                messages.success(request, "Branding saved.")
                return redirect("documents:branding")
    context = {"form": form, "branding": branding, "settings_section": "branding"}
    return render(request, "documents/branding.html", context)


def _branding_row(firm_id: int) -> FirmBranding | None:
    return FirmBranding.objects.filter(firm_id=firm_id).first()


@cache_control(public=True, max_age=31536000, immutable=True)
def brand_logo(request, firm_id, version):
    branding = _branding_row(firm_id)
    if branding is None or not branding.has_logo:
        raise Http404("No logo")
    response = HttpResponse(bytes(branding.logo), content_type=branding.logo_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@cache_control(public=True, max_age=31536000, immutable=True)
def brand_style(request, firm_id, version):
    branding = _branding_row(firm_id)
    accent = branding.accent_colour if branding else DEFAULT_ACCENT
    return HttpResponse(BRAND_CSS.replace("ACCENT", accent), content_type="text/css")


@member_required
def firm_invoice_pdf(request, invoice_id):
    invoice = invoice_get(firm=request.firm, invoice_id=invoice_id)
    return pdf_response(invoice_pdf(invoice=invoice), invoice_pdf_filename(invoice))


def link_invoice_pdf(request, token):
    """The PDF behind the client link /i/<token>/pdf/: the link is the key, as for the page."""
    from firmpay.invoices.selectors import invoice_get_by_link

    invoice = invoice_get_by_link(signed_token=token)
    response = pdf_response(invoice_pdf(invoice=invoice), invoice_pdf_filename(invoice))
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
