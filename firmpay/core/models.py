from django.conf import settings
from django.db import models


class TenantModel(models.Model):
    """A row that belongs to one firm. Every query for it is scoped by `firm`."""

    firm = models.ForeignKey("tenancy.Firm", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditRecord(models.Model):
    """Who did what sensitive thing, when, and from where. Written, never edited."""

    firm = models.ForeignKey(
        "tenancy.Firm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=80, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["firm", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label or 'system'}"
