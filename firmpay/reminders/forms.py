from django import forms
from django.core.exceptions import ValidationError

from firmpay.core.numbers import WholeNumberField
from firmpay.reminders.models import MAX_OFFSET_DAYS, MIN_OFFSET_DAYS
from firmpay.reminders.placeholders import PLACEHOLDERS, PlaceholderError, placeholders_check
from firmpay.reminders.schedule import StepText

HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]


class PolicyForm(forms.Form):
    enabled = forms.BooleanField(label="Send payment reminders", required=False)
    send_hour = forms.TypedChoiceField(
        label="Send at", choices=HOUR_CHOICES, coerce=int, help_text="In the firm's timezone."
    )
    repeat_every_days = WholeNumberField(
        label="Then remind every (days)",
        min_value=0,
        max_value=90,
        help_text="After the last step. 0: no repeats.",
    )
    max_repeats = WholeNumberField(label="At most this many repeats", min_value=0, max_value=24)


def _check_placeholders(value: str) -> str:
    try:
        placeholders_check(value)
    except PlaceholderError as exc:
        raise ValidationError(str(exc)) from exc
    return value


class StepForm(forms.Form):
    offset_days = WholeNumberField(
        label="Days from due date",
        min_value=MIN_OFFSET_DAYS,
        max_value=MAX_OFFSET_DAYS,
        help_text="-3: three days before; 0: on the day; 7: a week after.",
    )
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 9}))

    def clean_subject(self):
        return _check_placeholders(self.cleaned_data["subject"])

    def clean_body(self):
        return _check_placeholders(self.cleaned_data["body"])


class BaseStepFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form) or not form.has_changed():
                continue
            offset = form.cleaned_data.get("offset_days")
            if offset in seen:
                form.add_error("offset_days", "Two steps fall on the same day.")
            seen.add(offset)

    def steps(self) -> list[StepText]:
        """The steps to save: every filled-in, not deleted form, in the order shown."""
        steps = []
        for form in self.forms:
            if not (form.has_changed() or form.initial) or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            steps.append(StepText(data["offset_days"], data["subject"], data["body"]))
        return steps


StepFormSet = forms.formset_factory(
    StepForm, formset=BaseStepFormSet, extra=1, can_delete=True, max_num=20, validate_max=True
)

PLACEHOLDER_HELP = [("{" + name + "}", help) for name, help in PLACEHOLDERS.items()]
