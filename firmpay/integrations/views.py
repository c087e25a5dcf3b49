from django.shortcuts import render

from firmpay.integrations.stripe_views import stripe_card_context
from firmpay.tenancy.decorators import member_required


@member_required
def integrations_index(request):
    return render(
        request,
        "integrations/index.html",
        {"settings_section": "integrations", **stripe_card_context(request)},
    )
