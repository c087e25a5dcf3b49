from django import forms
from django.db.models import Q

from firmpay.clients.models import Client
from firmpay.core.money import CURRENCY_CHOICES
from firmpay.invoices.forms import DATE_WIDGET
from firmpay.recurring.models import Autopay, Frequency


class ScheduleForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none())
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES)
    frequency = forms.ChoiceField(choices=Frequency.choices, label="How often")
    every_weeks = forms.IntegerField(
        min_value=1,
        max_value=52,
        initial=1,
        label="Every N weeks",
        help_text="For “Every N weeks” only.",
    )
    start_date = forms.DateField(widget=DATE_WIDGET, label="Start date")
    issue_day = forms.IntegerField(
        min_value=1,
        max_value=31,
        initial=1,
        label="Issue day",
        help_text="Day of the month; 31 means the last day in shorter months.",
    )
    end_after_issues = forms.IntegerField(
        min_value=1,
        required=False,
        label="End after N invoices",
        help_text="Leave empty to keep going.",
    )
    end_on = forms.DateField(
        widget=DATE_WIDGET,
        required=False,
        label="End on",
        help_text="Leave empty to keep going.",
    )
    payment_terms_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        required=False,
        label="Payment terms (days)",
    )
    autopay = forms.ChoiceField(choices=Autopay.choices, label="Collect automatically")
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Shown to the client."
    )

    def __init__(self, *args, firm, current_client=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Q(archived_at__isnull=True)
        if current_client is not None:
            visible |= Q(pk=current_client.pk)
        clients = Client.objects.filter(firm=firm).filter(visible)
        self.fields["client"].queryset = clients.order_by("name", "id")
        self.fields[
            "payment_terms_days"
        ].help_text = f"Leave empty for your usual {firm.payment_terms_days} days."

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", "The end date cannot be before the start date.")
        return cleaned
