"""Writes of the support back office: who is Firmpay support staff."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from firmpay.core.audit import audit_record_create
from firmpay.tenancy.models import User


def support_user_create(*, email: str, password: str | None) -> tuple[User, bool]:
    """A support member (`is_staff`, never superuser): sees every firm in /support/ and
    nothing more. An existing user becomes support staff (their password is kept unless a
    new one is given). Returns (user, created)."""
    email = User.objects.normalize_email(email.strip()).lower()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        created = user is None
        if created:
            if not password:
                raise ValueError("A new support member needs a password.")
            validate_password(password)
            user = User.objects.create_user(email, password, is_staff=True)
        else:
            if password:
                validate_password(password, user)
                user.set_password(password)
            user.is_staff = True
            user.is_active = True
            user.save()
        audit_record_create(
            action="support.staff_granted",
            target=user,
            detail={"email": email, "created": created},
        )
    return user, created
