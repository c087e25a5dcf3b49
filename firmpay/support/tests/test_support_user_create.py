"""`manage.py support_user_create`: support staff without being superusers (issue 18,
point 10), who then reach the back office."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from firmpay.core.models import AuditRecord
from firmpay.tenancy.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "support-desk-2026-long"


def create(email: str, password: str = PASSWORD, **options) -> str:
    out = io.StringIO()
    stdin = io.StringIO(password + "\n")
    real, sys.stdin = sys.stdin, stdin
    try:
        call_command("support_user_create", email, password_stdin=True, stdout=out, **options)
    finally:
        sys.stdin = real
    return out.getvalue()


def test_creates_a_support_member_who_is_not_a_superuser(client):
    assert "Created support member help@firmpay.test" in create("Help@Firmpay.test")
    user = User.objects.get(email="help@firmpay.test")
    assert user.is_staff and not user.is_superuser
    assert AuditRecord.objects.filter(action="support.staff_granted").count() == 1
    client.login(username="help@firmpay.test", password=PASSWORD)
    assert client.get("/support/").status_code == 200


def test_an_existing_user_becomes_support_staff(client):
    User.objects.create_user("ana@firmpay.test", "old-password-2026x")
    assert "Made support member" in create("ana@firmpay.test", "")
    user = User.objects.get(email="ana@firmpay.test")
    assert user.is_staff and user.check_password("old-password-2026x")


def test_a_weak_password_is_refused_and_nothing_is_created():
    with pytest.raises(CommandError):
        create("weak@firmpay.test", "123")
    assert not User.objects.filter(email="weak@firmpay.test").exists()
