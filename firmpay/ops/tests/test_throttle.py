import pytest
from django.urls import reverse

from firmpay.ops.models import LoginThrottle
from firmpay.tenancy.tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-2026"


@pytest.fixture
def user():
    return make_user(email="ann@firm.test", password=PASSWORD)


def login(client, email, password, ip="203.0.113.9"):
    return client.post(
        reverse("tenancy:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def test_five_wrong_passwords_lock_that_email_from_that_ip(client, user, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 5
    for _ in range(5):
        assert login(client, "ann@firm.test", "wrong").status_code == 200
    refused = login(client, "ann@firm.test", PASSWORD)
    assert refused.status_code == 429
    assert "Too many log-in attempts. Try again in 15 minutes." in refused.content.decode()
    assert refused["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_the_lock_counts_across_email_case(client, user, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for email in ("ann@firm.test", "ANN@firm.test", "Ann@Firm.test"):
        login(client, email, "wrong")
    assert login(client, "ann@firm.test", PASSWORD).status_code == 429


def test_another_ip_or_email_is_not_locked(client, user, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for _ in range(3):
        login(client, "ann@firm.test", "wrong")
    assert login(client, "ann@firm.test", PASSWORD, ip="198.51.100.4").status_code == 302


def test_one_ip_spraying_many_emails_is_locked(client, user, settings):
    settings.LOGIN_THROTTLE_IP_ATTEMPTS = 4
    for n in range(4):
        login(client, f"guess{n}@firm.test", "wrong")
    assert login(client, "ann@firm.test", PASSWORD).status_code == 429


def test_the_lock_ends_after_the_lockout(client, user, settings, time_machine):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    time_machine.move_to("2026-11-25 10:00:00Z", tick=False)
    login(client, "ann@firm.test", "wrong")
    login(client, "ann@firm.test", "wrong")
    time_machine.move_to("2026-11-25 10:14:00Z", tick=False)
    assert "Try again in 1 minute." in login(client, "ann@firm.test", PASSWORD).content.decode()
    time_machine.move_to("2026-11-25 10:15:01Z", tick=False)
    assert login(client, "ann@firm.test", PASSWORD).status_code == 302


def test_a_successful_log_in_clears_the_count(client, user, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    login(client, "ann@firm.test", "wrong")
    login(client, "ann@firm.test", "wrong")
    assert login(client, "ann@firm.test", PASSWORD).status_code == 302
    client.post(reverse("tenancy:logout"))
    login(client, "ann@firm.test", "wrong")
    login(client, "ann@firm.test", "wrong")
    assert login(client, "ann@firm.test", PASSWORD).status_code == 302


def test_behind_a_proxy_the_forwarded_address_counts(client, user, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    settings.FIRMPAY_TRUSTED_PROXIES = 1
    for _ in range(2):
        client.post(reverse("tenancy:login"), {"username": "ann@firm.test", "password": "x"},
                    REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.50")  # fmt: skip
    other_client = client.post(reverse("tenancy:login"),
                               {"username": "ann@firm.test", "password": PASSWORD},
                               REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.51")  # fmt: skip
    assert other_client.status_code == 302
    assert LoginThrottle.objects.exists()


# Issue 19, finding 2: the lock keyed the raw username while log-in normalised it (NFKC).
FULLWIDTH_ANN = "\uff41nn@firm.test"  # "ａnn@firm.test"


def test_a_fullwidth_spelling_of_a_locked_email_is_locked_too(client, user, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 5
    for _ in range(5):
        login(client, "ann@firm.test", "wrong")

    refused = login(client, FULLWIDTH_ANN, PASSWORD)

    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_fullwidth_and_upper_case_failures_count_against_the_same_email(client, user, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for email in (FULLWIDTH_ANN, "\uff21NN@FIRM.TEST", "ann@firm.test"):
        login(client, email, "wrong")
    assert login(client, "ann@firm.test", PASSWORD).status_code == 429


def test_a_fullwidth_spelling_still_logs_in_when_not_locked(client, user):
    assert login(client, FULLWIDTH_ANN, PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


def reset(client, email, ip="203.0.113.9"):
    return client.post(reverse("tenancy:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_is_throttled_per_address_with_the_same_answer(client, user, settings):
    from django.core import mail

    settings.PASSWORD_RESET_THROTTLE_ADDRESS = 3
    answers = [
        reset(client, email, ip=f"198.51.100.{n}")
        for n, email in enumerate(["ann@firm.test"] * 3 + [FULLWIDTH_ANN, "ANN@firm.test"] * 5)
    ]

    assert len(mail.outbox) == 3
    assert {(a.status_code, a.url) for a in answers} == {
        (302, reverse("tenancy:password_reset_done"))
    }


def test_password_reset_is_throttled_per_ip_with_the_same_answer(client, settings, db):
    from django.core import mail

    settings.PASSWORD_RESET_THROTTLE_IP = 4
    for n in range(8):
        make_user(email=f"person{n}@firm.test")

    answers = [reset(client, f"person{n}@firm.test") for n in range(8)]

    assert len(mail.outbox) == 4
    assert {a.status_code for a in answers} == {302}
    assert reset(client, "person7@firm.test", ip="192.0.2.1").status_code == 302
    assert len(mail.outbox) == 5  # another IP is not held back
