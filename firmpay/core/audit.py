"""Writing audit records for sensitive actions (connect, disconnect, refund, plan change, support)."""

from firmpay.core.models import AuditRecord


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record_create(
    *,
    action: str,
    firm=None,
    actor=None,
    target=None,
    detail: dict | None = None,
    request=None,
) -> AuditRecord:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditRecord.objects.create(
        firm=firm,
        actor=actor,
        actor_label=getattr(actor, "email", "") or "",
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or "") if target is not None else "",
        detail=detail or {},
        ip_address=client_ip(request),
    )


def audit_records_for_firm(*, firm, limit: int = 200):
    return AuditRecord.objects.filter(firm=firm).select_related("actor")[:limit]
