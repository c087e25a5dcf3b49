"""What a firm's documents and client pages look like: address, tax and bank details on
the PDFs, the logo and accent colour, and the locale amounts and dates are written in."""

from django.core.validators import RegexValidator
from django.db import models

LOCALE_CHOICES = [
    ("en_US", "English (United States)"),
    ("en_GB", "English (United Kingdom)"),
    ("en_CA", "English (Canada)"),
    ("en_AU", "English (Australia)"),
    ("en_NZ", "English (New Zealand)"),
    ("en_IE", "English (Ireland)"),
    ("fr_FR", "Français (France)"),
    ("fr_CA", "Français (Canada)"),
    ("de_DE", "Deutsch (Deutschland)"),
    ("nl_NL", "Nederlands"),
    ("es_ES", "Español"),
    ("ja_JP", "日本語"),
]
DEFAULT_ACCENT = "#1f4e8c"
LOGO_TYPES = {"image/png": "png", "image/jpeg": "jpg"}


class FirmBranding(models.Model):
    firm = models.OneToOneField("tenancy.Firm", on_delete=models.CASCADE, related_name="+")
    address = models.TextField(blank=True, help_text="Printed under your name on PDFs.")
    tax_details = models.CharField(
        max_length=200, blank=True, help_text="E.g. VAT number, EIN, ABN: printed on PDFs."
    )
    accent_colour = models.CharField(
        max_length=7,
        default=DEFAULT_ACCENT,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f4e8c.")],
    )
    locale = models.CharField(max_length=5, choices=LOCALE_CHOICES, default="en_US")
    # The logo lives in the database (small: size-checked) so every web process on every
    # machine serves the same bytes without shared file storage.
    logo = models.BinaryField(null=True, blank=True)
    logo_type = models.CharField(max_length=20, blank=True)
    # Bumped on every save: the stylesheet and logo URLs carry it, so they cache forever.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"branding of firm {self.firm_id}"

    @property
    def has_logo(self) -> bool:
        return bool(self.logo)
