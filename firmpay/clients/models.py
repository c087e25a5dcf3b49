from django.db import models

from firmpay.core.models import TenantModel
from firmpay.core.money import CURRENCY_CHOICES


class Client(TenantModel):
    """Someone the firm invoices: a person or a company."""

    name = models.CharField(max_length=200)
    email = models.EmailField(help_text="Invoices and reminders go here.")
    address_line1 = models.CharField("Address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("Address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField("Postcode / ZIP", max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    reminders_opt_out = models.BooleanField(
        "No payment reminders",
        default=False,
        help_text="Never send this client automatic payment reminders.",
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["firm", "name"], name="client_firm_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(part for part in (self.city, self.postcode) if part)
        parts = [self.address_line1, self.address_line2, city_line, self.country]
        return [part for part in parts if part]
