"""The Stripe webhook endpoint (Connect) through Django's stack. In production requests
the lean WSGI path in `webhook_wsgi.py` answers POSTs before Django; this view serves the
same answer to the test client and anything routed through Django."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from firmpay.payments.webhook_wsgi import content_length, webhook_answer


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verify, store, answer (see `webhook_answer`)."""
    length = content_length(request.META.get("CONTENT_LENGTH"))
    status, body, content_type = webhook_answer(
        length=length,
        read_body=lambda: request.body,
        sig_header=request.META.get("HTTP_STRIPE_SIGNATURE", ""),
    )
    return HttpResponse(body, status=status, content_type=content_type)
