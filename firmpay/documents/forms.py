from django import forms

from firmpay.documents.models import LOCALE_CHOICES


class BrandingForm(forms.Form):
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    tax_details = forms.CharField(max_length=200, required=False, label="Tax details")
    accent_colour = forms.RegexField(
        regex=r"^#[0-9a-fA-F]{6}$",
        label="Accent colour",
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": "Use a colour like #1f4e8c."},
    )
    locale = forms.ChoiceField(
        choices=LOCALE_CHOICES,
        label="Language and number format",
        help_text="How amounts and dates are written on PDFs and client pages.",
    )
    logo = forms.FileField(
        required=False, help_text="PNG or JPEG, up to 512 KB and 4000 pixels a side."
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")
