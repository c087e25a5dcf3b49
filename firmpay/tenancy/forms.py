from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse_lazy

from firmpay.core.money import CURRENCY_CHOICES
from firmpay.tenancy.models import (
    COUNTRY_CHOICES,
    Firm,
    Plan,
    Role,
    User,
)
from firmpay.tenancy.timezones import timezone_choices, timezone_default

EMAIL_TAKEN = "An account with this email already exists. Log in instead."
TIMEZONE_HELP = "Days and reminder times are counted in this time zone."
# Changing the country redraws the time zone picker with that country's zones first.
COUNTRY_REDRAWS_TIMEZONE = {
    "hx-get": reverse_lazy("tenancy:timezone_field"),
    "hx-target": ".field-timezone",
    "hx-swap": "outerHTML",
    "hx-trigger": "change",
}


class TimezoneByCountry:
    """The `timezone` field lists the chosen country's zones first and, unless one is
    already chosen, selects that country's main zone."""

    def timezone_follow_country(self):
        field = self.fields["timezone"]
        if self.is_bound:
            country = self.data.get(self.add_prefix("country"), "")
        else:
            country = self.initial.get("country") or self.fields["country"].initial
        current = "" if self.is_bound else self.initial.get("timezone", "")
        field.choices = timezone_choices(country, keep=current)
        if not self.is_bound and not current:
            self.initial["timezone"] = timezone_default(country)
        self.fields["country"].widget.attrs.update(COUNTRY_REDRAWS_TIMEZONE)


class TimezoneForm(TimezoneByCountry, forms.Form):
    """The time zone picker alone, redrawn when the country changes (tenancy:timezone_field)."""

    country = forms.ChoiceField(choices=COUNTRY_CHOICES)
    timezone = forms.ChoiceField(label="Time zone", help_text=TIMEZONE_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone_follow_country()


class FirmCreateForm(TimezoneByCountry, forms.Form):
    firm_name = forms.CharField(label="Firm name", max_length=200)
    country = forms.ChoiceField(choices=COUNTRY_CHOICES, initial="US")
    default_currency = forms.ChoiceField(
        label="Default currency", choices=CURRENCY_CHOICES, initial="USD"
    )
    timezone = forms.ChoiceField(label="Time zone", help_text=TIMEZONE_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone_follow_country()

    def clean_firm_name(self):
        name = self.cleaned_data["firm_name"].strip()
        if not name:
            raise forms.ValidationError("Give your firm a name.")
        return name


class SignupForm(FirmCreateForm):
    name = forms.CharField(label="Your name", max_length=150, required=False)
    email = forms.EmailField(max_length=254)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    field_order = ["name", "email", "password", "firm_name", "country", "default_currency"]

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"].strip()).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(EMAIL_TAKEN)
        return email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            user = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class NewMemberForm(forms.Form):
    """Someone invited without an account: their name and a password."""

    name = forms.CharField(label="Your name", max_length=150)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            user = User(email=self.email, name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class EmailLoginForm(AuthenticationForm):
    """Log in by email, whatever its case (emails are stored lower-cased)."""

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class EmailPasswordResetForm(PasswordResetForm):
    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class FirmForm(TimezoneByCountry, forms.ModelForm):
    payment_terms_days = forms.IntegerField(
        label="Payment terms (days)",
        min_value=0,
        max_value=365,
        help_text="Days from the issue date to the due date of new invoices.",
    )

    class Meta:
        model = Firm
        fields = [
            "name",
            "email",
            "country",
            "default_currency",
            "timezone",
            "payment_terms_days",
            "bank_details",
        ]
        labels = {"email": "Firm email", "timezone": "Time zone"}
        help_texts = {"timezone": TIMEZONE_HELP}
        widgets = {"bank_details": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone_follow_country()
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("The firm needs a name.")
        return name


class InvitationForm(forms.Form):
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.STAFF)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class PlanForm(forms.Form):
    plan = forms.ChoiceField(choices=Plan.choices)
