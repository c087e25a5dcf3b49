"""{% stripe_setup_next %}: on the Plan page, the way back to finishing Stripe setup (after
upgrading, the firm was left there with no link back, issue 18 point 8)."""

from django import template
from django.urls import reverse

from firmpay.integrations.alerts import CONNECT, firm_account_alert

register = template.Library()


@register.inclusion_tag("integrations/_plan_link.html", takes_context=True)
def stripe_setup_next(context):
    request = context.get("request")
    firm = getattr(request, "firm", None)
    membership = getattr(request, "membership", None)
    link = ""
    if firm is not None and firm.is_paid_plan and membership is not None and membership.can_manage:
        alert = firm_account_alert(firm=firm)
        if alert.state in ("not_connected", "deauthorized"):
            link = reverse(CONNECT)
        elif alert.state == "incomplete":
            link = alert.link_url
    return {"link": link}
