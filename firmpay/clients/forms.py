from django import forms

from firmpay.clients.models import Client
from firmpay.core.text import SingleLineField


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "name",
            "email",
            "currency",
            "address_line1",
            "address_line2",
            "city",
            "postcode",
            "country",
            "reminders_opt_out",
        ]
        # The client's name reaches email headers and one-line labels: no line breaks.
        field_classes = {
            name: SingleLineField
            for name in ("name", "address_line1", "address_line2", "city", "postcode")
        }


class ClientSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    archived = forms.BooleanField(required=False, label="Show archived")
