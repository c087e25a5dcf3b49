"""Readable labels for Stripe requirement keys (`company.tax_id` → "Company tax ID").

Exact keys first, then `<who>.<field>` patterns (individual, representative, owners,
directors, executives, person_xxx), then unknown keys turned into words.
"""

from __future__ import annotations

import re

EXACT = {
    "external_account": "Payout bank account",
    "business_type": "Business type",
    "business_profile.url": "Business website",
    "business_profile.mcc": "Business category",
    "business_profile.name": "Business name",
    "business_profile.product_description": "Description of what the business sells",
    "business_profile.support_phone": "Customer support phone number",
    "business_profile.support_email": "Customer support email",
    "business_profile.support_address": "Customer support address",
    "business_profile.annual_revenue": "Annual revenue",
    "business_profile.estimated_worker_count": "Number of employees",
    "tos_acceptance.date": "Acceptance of Stripe's terms of service",
    "tos_acceptance.ip": "Acceptance of Stripe's terms of service",
    "company.tax_id": "Company tax ID",
    "company.vat_id": "Company VAT number",
    "company.name": "Company legal name",
    "company.phone": "Company phone number",
    "company.structure": "Company legal structure",
    "company.registration_number": "Company registration number",
    "company.verification.document": "Company registration document",
    "company.owners_provided": "Confirmation that all company owners are listed",
    "company.directors_provided": "Confirmation that all company directors are listed",
    "company.executives_provided": "Confirmation that all company executives are listed",
    "company.ownership_declaration.date": "Company ownership declaration",
    "company.ownership_declaration.ip": "Company ownership declaration",
    "settings.payments.statement_descriptor": "Statement descriptor (what clients see on their statement)",
    "documents.bank_account_ownership_verification.files": "Proof of payout bank account ownership",
    "documents.company_license.files": "Company licence",
    "documents.company_registration_verification.files": "Company registration document",
    "documents.proof_of_registration.files": "Proof of company registration",
}

# Field of a person (after the `<who>.` prefix) → label.
PERSON_FIELDS = {
    "verification.document": "Identity document",
    "verification.additional_document": "Proof of address document",
    "id_number": "ID number",
    "ssn_last_4": "Last 4 digits of the Social Security number",
    "dob.day": "Date of birth",
    "dob.month": "Date of birth",
    "dob.year": "Date of birth",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email address",
    "phone": "Phone number",
    "address.line1": "Address",
    "address.line2": "Address",
    "address.city": "City",
    "address.postal_code": "Postal code",
    "address.state": "State or county",
    "address.country": "Country",
    "relationship.title": "Job title",
    "relationship.owner": "Ownership",
    "relationship.percent_ownership": "Percentage of ownership",
    "relationship.executive": "Executive role",
    "relationship.director": "Director role",
    "political_exposure": "Political exposure",
    "nationality": "Nationality",
}

PERSON_SUBJECTS = {
    "individual": "the account holder",
    "representative": "the representative",
    "owners": "each company owner",
    "directors": "each company director",
    "executives": "each company executive",
}
PERSON_ID = re.compile(r"^person_[A-Za-z0-9]+$")

WORDS = {
    "id": "ID",
    "url": "website",
    "mcc": "category",
    "tos": "terms of service",
    "ip": "IP address",
    "dob": "date of birth",
    "ssn": "SSN",
    "vat": "VAT",
    "tax": "tax",
    "line1": "line 1",
    "line2": "line 2",
}


def requirement_label(key: str) -> str:
    """A short label for a requirement key, e.g. "Identity document for the representative"."""
    if key in EXACT:
        return EXACT[key]
    subject, _, rest = key.partition(".")
    if rest and (subject in PERSON_SUBJECTS or PERSON_ID.match(subject)):
        whom = PERSON_SUBJECTS.get(subject, "a person on the account")
        return f"{PERSON_FIELDS.get(rest) or _words(rest)} for {whom}"
    return _words(key)


def _words(key: str) -> str:
    parts = []
    for part in re.split(r"[._]+", key):
        if not part or part in {"verification"} and parts:
            continue
        parts.append(WORDS.get(part, part))
    text = " ".join(parts) or key
    return text[0].upper() + text[1:]
