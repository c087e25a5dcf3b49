from decimal import Decimal

from django import forms
from django.db.models import Q

from firmpay.clients.models import Client
from firmpay.core.money import CURRENCY_CHOICES, MoneyError, exponent, parse_amount
from firmpay.core.numbers import DecimalNumberField, WholeNumberField
from firmpay.invoices.models import InvoiceStatus, PaymentMethod
from firmpay.invoices.totals import MAX_UNIT_AMOUNT, LineInput

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def amount_field_clean(text: str, currency: str) -> int:
    try:
        return parse_amount(text, currency)
    except MoneyError as exc:
        raise forms.ValidationError(str(exc)) from exc


class InvoiceForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), empty_label="Choose a client")
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES)
    issue_date = forms.DateField(widget=DATE_WIDGET)
    due_date = forms.DateField(
        widget=DATE_WIDGET, required=False, help_text="Leave empty to use your payment terms."
    )
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
            "due_date"
        ].help_text = f"Leave empty for {firm.payment_terms_days} days after the issue date."

    def clean(self):
        cleaned = super().clean()
        issue, due = cleaned.get("issue_date"), cleaned.get("due_date")
        if issue and due and due < issue:
            self.add_error("due_date", "The due date cannot be before the issue date.")
        return cleaned


class LineForm(forms.Form):
    description = forms.CharField(max_length=500)
    quantity = DecimalNumberField(
        max_digits=11,
        decimal_places=2,
        min_value=Decimal(0),
        initial=Decimal(1),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    unit_price = forms.CharField(
        max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10})
    )
    tax_rate = DecimalNumberField(
        label="Tax %",
        max_digits=6,
        decimal_places=3,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_unit_price(self) -> int:
        amount = amount_field_clean(self.cleaned_data["unit_price"], self.currency)
        if amount < 0:
            raise forms.ValidationError("The unit price cannot be negative.")
        if amount > MAX_UNIT_AMOUNT:
            raise forms.ValidationError("The unit price is too large.")
        return amount

    def line(self) -> LineInput:
        return LineInput(
            description=self.cleaned_data["description"],
            quantity=self.cleaned_data["quantity"],
            unit_amount=self.cleaned_data["unit_price"],
            tax_rate=self.cleaned_data.get("tax_rate") or Decimal(0),
        )


class BaseLineFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": "Add at least one line.",
        "too_many_forms": "An invoice has at most %(num)d lines.",
    }

    def lines(self) -> list[LineInput]:
        return [
            form.line()
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)
        ]


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=100,
    validate_max=True,
    can_delete=True,
)
LINES_PREFIX = "lines"


def line_initial(line, currency: str) -> dict:
    places = exponent(currency)
    return {
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": f"{Decimal(line.unit_amount).scaleb(-places):f}",
        "tax_rate": line.tax_rate.normalize() if line.tax_rate else Decimal(0),
    }


class ManualPaymentForm(forms.Form):
    amount = forms.CharField(max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    method = forms.ChoiceField(choices=PaymentMethod.choices)
    received_on = forms.DateField(label="Received on", widget=DATE_WIDGET)
    reference = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].label = f"Amount ({currency})"

    def clean_amount(self) -> int:
        return amount_field_clean(self.cleaned_data["amount"], self.currency)


STATUS_FILTER_CHOICES = [("", "All statuses"), *InvoiceStatus.choices, ("overdue", "Overdue")]


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(required=False, choices=STATUS_FILTER_CHOICES)
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False, empty_label="All clients"
    )
    before = WholeNumberField(required=False, min_value=1, widget=forms.HiddenInput)
    after = WholeNumberField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, firm, **kwargs):
        super().__init__(*args, **kwargs)
        # Only validation reads it (the page lists clients from `client_choices`): built when
        # a client is asked for, not on every page of the list.
        if self.data.get(self.add_prefix("client")):
            self.fields["client"].queryset = Client.objects.filter(firm=firm)
