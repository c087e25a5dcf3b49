"""{% lmoney amount currency %} and {{ day|ldate }} in the firm's locale (the template's
`locale` variable, set by every document and portal page)."""

from django import template
from django.utils.html import format_html

from firmpay.documents.formatting import date_localised, money_localised
from firmpay.documents.selectors import branding_for

register = template.Library()


def _locale(context) -> str:
    locale = context.get("locale")
    if locale:
        return locale
    firm = context.get("firm")
    return branding_for(firm=firm).locale if firm is not None else "en_US"


@register.simple_tag(takes_context=True)
def lmoney(context, amount, currency):
    if amount is None:
        return ""
    return money_localised(int(amount), currency, _locale(context))


@register.simple_tag(takes_context=True)
def ldate(context, day):
    return date_localised(day, _locale(context))


@register.simple_tag
def brand_style(firm):
    """The firm's accent colour as a CSS variable, from a stylesheet URL (the CSP allows no
    inline styles)."""
    from django.urls import reverse

    branding = branding_for(firm=firm)
    url = reverse("documents:style", kwargs={"firm_id": firm.pk, "version": branding.version})
    return format_html('<link rel="stylesheet" href="{}">', url)


@register.simple_tag
def brand_logo(firm):
    from django.urls import reverse

    branding = branding_for(firm=firm)
    if not branding.has_logo:
        return ""
    url = reverse("documents:logo", kwargs={"firm_id": firm.pk, "version": branding.version})
    return format_html('<img class="brand-logo" src="{}" alt="" height="32">', url)
