import pytest

from firmpay.payments.stripe.requirements import requirement_label


@pytest.mark.parametrize(
    "key,label",
    [
        ("company.tax_id", "Company tax ID"),
        ("external_account", "Payout bank account"),
        ("representative.verification.document", "Identity document for the representative"),
        ("company.verification.document", "Company registration document"),
        ("business_profile.url", "Business website"),
        ("tos_acceptance.date", "Acceptance of Stripe's terms of service"),
        ("individual.id_number", "ID number for the account holder"),
        ("person_1AbCdEf.dob.day", "Date of birth for a person on the account"),
        ("owners.email", "Email address for each company owner"),
        ("company.address.line1", "Company address line 1"),
        ("brand_new.future_field", "Brand new future field"),
    ],
)
def test_requirement_keys_read_as_plain_words(key, label):
    assert requirement_label(key) == label
