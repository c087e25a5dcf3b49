"""The Stripe webhook endpoint (Connect). The only view of the payments app."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from firmpay.payments.exceptions import WebhookPayloadInvalid, WebhookSignatureInvalid
from firmpay.payments.services.events import stripe_event_ingest


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verify, store, answer. 400 on a bad or stale signature (nothing stored); 200 for a
    new event and for a duplicate delivery; 413 past STRIPE_WEBHOOK_MAX_BYTES."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.STRIPE_WEBHOOK_MAX_BYTES:
        return HttpResponse("payload too large", status=413, content_type="text/plain")
    try:
        event_id, created = stripe_event_ingest(
            payload=request.body, sig_header=request.META.get("HTTP_STRIPE_SIGNATURE", "")
        )
    except WebhookSignatureInvalid:
        return HttpResponse("invalid signature", status=400, content_type="text/plain")
    except WebhookPayloadInvalid:
        return HttpResponse("invalid payload", status=400, content_type="text/plain")
    return JsonResponse({"received": event_id, "duplicate": not created})
