"""The Manage panel's requirement rows: "Overdue" only once the firm has submitted details."""

from firmpay.payments.connect.selectors import requirement_rows
from firmpay.payments.stripe.dataclasses import AccountSnapshot, Requirements


def rows(*, submitted: bool):
    snapshot = AccountSnapshot(
        id="acct_1",
        details_submitted=submitted,
        requirements=Requirements(
            past_due=("company.tax_id",), currently_due=("external_account",)
        ),
    )
    return [(row.key, row.state, row.state_label, row.tone) for row in requirement_rows(snapshot)]


def test_before_any_submission_past_due_reads_needed():
    assert rows(submitted=False) == [
        ("company.tax_id", "past_due", "Needed", "warn"),
        ("external_account", "currently_due", "Due", "warn"),
    ]


def test_after_submission_past_due_reads_overdue_in_red():
    assert rows(submitted=True)[0] == ("company.tax_id", "past_due", "Overdue", "bad")
