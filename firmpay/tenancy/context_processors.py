from django.conf import settings


def current_firm(request):
    return {
        "current_firm": getattr(request, "firm", None),
        "current_membership": getattr(request, "membership", None),
        "stripe_sandbox_mode": getattr(settings, "STRIPE_SANDBOX_MODE", False),
    }
