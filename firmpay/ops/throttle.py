"""Log-in throttling: after LOGIN_THROTTLE_ATTEMPTS failures for one (IP, email) within
LOGIN_THROTTLE_WINDOW seconds (or LOGIN_THROTTLE_IP_ATTEMPTS for one IP, any email), log-in
posts from there are refused for LOGIN_THROTTLE_LOCKOUT seconds with a clear message.
Counted in the database (every web process sees it); a successful log-in clears the pair.

Password-reset requests are counted too, per address and per IP (`password_reset_allowed`).
Emails are keyed in their one normal form (`firmpay.core.identity`), the same the user
lookup uses, so a fullwidth or upper-case spelling of an address counts against it."""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from firmpay.core.identity import email_normalise
from firmpay.ops.models import LoginThrottle


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def client_ip(request) -> str:
    """REMOTE_ADDR, or the address the trusted proxies (FIRMPAY_TRUSTED_PROXIES of them)
    saw in X-Forwarded-For."""
    proxies = _setting("FIRMPAY_TRUSTED_PROXIES", 0)
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(ip: str, email: str) -> list[tuple[str, int]]:
    email = email_normalise(email)
    pair = hashlib.sha256(f"{ip}|{email}".encode()).hexdigest()
    only_ip = hashlib.sha256(f"{ip}|*".encode()).hexdigest()
    return [
        (pair, _setting("LOGIN_THROTTLE_ATTEMPTS", 5)),
        (only_ip, _setting("LOGIN_THROTTLE_IP_ATTEMPTS", 50)),
    ]


def login_throttle_wait(*, ip: str, email: str) -> int:
    """Seconds until log-in is allowed again for this IP and email (0: allowed now)."""
    now = timezone.now()
    keys = [key for key, _ in _keys(ip, email)]
    until = (
        LoginThrottle.objects.filter(key__in=keys, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    return math.ceil((until - now).total_seconds()) if until else 0


def login_failure_record(*, ip: str, email: str) -> None:
    now = timezone.now()
    window = timedelta(seconds=_setting("LOGIN_THROTTLE_WINDOW", 900))
    lockout = timedelta(seconds=_setting("LOGIN_THROTTLE_LOCKOUT", 900))
    for key, limit in _keys(ip, email):
        for _ in range(2):  # a concurrent first failure may win the insert
            try:
                with transaction.atomic():
                    row, _created = LoginThrottle.objects.select_for_update().get_or_create(
                        key=key, defaults={"window_started_at": now}
                    )
                    if row.window_started_at <= now - window:
                        row.failures, row.window_started_at = 0, now
                    row.failures += 1
                    if row.failures >= limit:
                        row.locked_until = now + lockout
                        row.failures, row.window_started_at = 0, now
                    row.save()
                break
            except IntegrityError:
                continue


def login_success_record(*, ip: str, email: str) -> None:
    LoginThrottle.objects.filter(key=_keys(ip, email)[0][0]).delete()


def password_reset_allowed(*, ip: str, email: str) -> bool:
    """Counts one password-reset request; False once the address (any IP) or the IP (any
    address) asked more than PASSWORD_RESET_THROTTLE_ADDRESS / _IP times within
    PASSWORD_RESET_THROTTLE_WINDOW seconds. The caller answers the same either way."""
    window = timedelta(seconds=_setting("PASSWORD_RESET_THROTTLE_WINDOW", 3600))
    keys = [
        (f"reset|address|{email_normalise(email)}", _setting("PASSWORD_RESET_THROTTLE_ADDRESS", 3)),
        (f"reset|ip|{ip}", _setting("PASSWORD_RESET_THROTTLE_IP", 20)),
    ]
    allowed = True
    for name, limit in keys:
        key = hashlib.sha256(name.encode()).hexdigest()
        allowed = _hit_counted(key=key, window=window) <= limit and allowed
    return allowed


def _hit_counted(*, key: str, window: timedelta) -> int:
    """Adds one hit to the key's current window; the hits counted so far in it."""
    now = timezone.now()
    for _ in range(2):  # a concurrent first hit may win the insert
        try:
            with transaction.atomic():
                row, _created = LoginThrottle.objects.select_for_update().get_or_create(
                    key=key, defaults={"window_started_at": now}
                )
                if row.window_started_at <= now - window:
                    row.failures, row.window_started_at = 0, now
                row.failures += 1
                row.save()
                return row.failures
        except IntegrityError:
            continue
    return 0


def throttle_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many log-in attempts. Try again in {minutes} {unit}."


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    if request is not None:
        login_failure_record(ip=client_ip(request), email=credentials.get("username", ""))


@receiver(user_logged_in)
def _on_logged_in(sender, request, user, **kwargs):
    if request is not None:
        login_success_record(ip=client_ip(request), email=getattr(user, "email", ""))


class LoginThrottleMiddleware:
    """Refuses log-in posts while the (IP, email) pair or the IP is locked out: 429 with
    the log-in page and the message, before any password is checked."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._path = None

    def __call__(self, request):
        if request.method == "POST":
            if self._path is None:
                self._path = reverse("tenancy:login")
            if request.path == self._path:
                wait = login_throttle_wait(
                    ip=client_ip(request), email=request.POST.get("username", "")
                )
                if wait:
                    return self._refuse(request, wait)
        return self.get_response(request)

    def _refuse(self, request, wait: int):
        from firmpay.tenancy.forms import EmailLoginForm

        messages.error(request, throttle_message(wait))
        response = render(
            request,
            "tenancy/login.html",
            {"form": EmailLoginForm(request), "next": request.POST.get("next", "")},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
