"""The client portal: sign-in links, sign-in requests (for throttling) and email changes.

Tokens are never stored, only their SHA-256: a leaked table signs nobody in."""

from django.db import models
from django.db.models import Q

from firmpay.core.models import TenantModel


class PortalSignInLink(TenantModel):
    """A single-use, expiring link that signs one client of one firm in."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["firm", "client", "-created_at"], name="portal_link_idx")]

    def __str__(self) -> str:
        return f"sign-in link for client {self.client_id}"


class PortalSignInRequest(models.Model):
    """One "email me a link" request, known address or not (the throttle counts these).
    Keys are SHA-256 of (firm, email) and of the IP, so no address is kept."""

    firm = models.ForeignKey("tenancy.Firm", on_delete=models.CASCADE, related_name="+")
    email_key = models.CharField(max_length=64)
    ip_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["email_key", "created_at"], name="portal_req_email_idx"),
            models.Index(fields=["ip_key", "created_at"], name="portal_req_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"sign-in request at {self.created_at}"


class PortalEmailChange(TenantModel):
    """A client asked to receive invoices at a new address; it takes effect once the link
    sent to that address is followed. One open request per client."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    new_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(confirmed_at=None, canceled_at=None),
                name="portal_email_change_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"email change of client {self.client_id}"
