"""Per-organisation request limits shared by every process (Xero: 60 a minute and 5 in
flight; QuickBooks: 10 a second and 10 in flight).

With REDIS_URL the counters live in Redis; otherwise in a database row locked with
SELECT ... FOR UPDATE. Both count requests in fixed windows of the provider's length (the
vendor's own 429 covers the edge between two windows). A request in flight that never
came back (a killed worker) stops counting after IN_FLIGHT_TTL. After a 429 the whole
organisation pauses (`rate_gate_pause`): QuickBooks asks for 60 s.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
from collections.abc import Iterator
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from firmpay.accounting.models import RateBucket
from firmpay.accounting.providers.base import RateLimitWait

IN_FLIGHT_TTL = datetime.timedelta(minutes=2)
BUSY_WAIT_SECONDS = 1.0


def provider_gate(provider, key: str):
    """The gate factory for one organisation of `provider` (ApiContext.gate)."""
    return functools.partial(
        rate_gate,
        key=key,
        per_window=provider.per_minute,
        concurrent=provider.concurrent,
        window_seconds=provider.window_seconds,
    )


@contextlib.contextmanager
def rate_gate(
    *, key: str, per_window: int, concurrent: int, window_seconds: int = 60
) -> Iterator[None]:
    """Hold one request slot for `key`, or raise RateLimitWait(seconds) at once."""
    limiter = _redis_limiter() if settings.REDIS_URL else None
    window = datetime.timedelta(seconds=window_seconds)
    if limiter is not None:
        limiter.acquire(key, per_window, concurrent, window_seconds)
    else:
        _db_acquire(key, per_window, concurrent, window)
    try:
        yield
    finally:
        if limiter is not None:
            limiter.release(key)
        else:
            _db_release(key)


def rate_gate_pause(*, key: str, seconds: float) -> None:
    """The vendor said 429: no request for this organisation for `seconds`."""
    until = timezone.now() + datetime.timedelta(seconds=seconds)
    RateBucket.objects.bulk_create(
        [RateBucket(key=key, window_start=timezone.now())], ignore_conflicts=True
    )
    RateBucket.objects.filter(key=key).update(paused_until=until)
    if settings.REDIS_URL:
        _redis_limiter().pause(key, seconds)


def _db_acquire(key: str, per_window: int, concurrent: int, window: datetime.timedelta) -> None:
    now = timezone.now()
    RateBucket.objects.bulk_create([RateBucket(key=key, window_start=now)], ignore_conflicts=True)
    wait = 0.0
    with transaction.atomic():
        bucket = RateBucket.objects.select_for_update().get(key=key)
        if now - bucket.window_start >= window:
            bucket.window_start, bucket.window_count = now, 0
        if bucket.in_flight and bucket.in_flight_at and now - bucket.in_flight_at > IN_FLIGHT_TTL:
            bucket.in_flight = 0
        if bucket.paused_until and bucket.paused_until > now:
            wait = (bucket.paused_until - now).total_seconds()
        elif bucket.window_count >= per_window:
            wait = (bucket.window_start + window - now).total_seconds()
        elif bucket.in_flight >= concurrent:
            wait = BUSY_WAIT_SECONDS
        else:
            bucket.window_count += 1
            bucket.in_flight += 1
            bucket.in_flight_at = now
        bucket.save()
    if wait:
        raise RateLimitWait(max(wait, 0.1))


def _db_release(key: str) -> None:
    with transaction.atomic():
        bucket = RateBucket.objects.select_for_update().filter(key=key).first()
        if bucket is not None and bucket.in_flight > 0:
            bucket.in_flight -= 1
            bucket.save(update_fields=["in_flight"])


class _RedisLimiter:
    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)

    def pause(self, key: str, seconds: float) -> None:
        # The end as a timestamp on our clock (like the windows), kept a little longer.
        until = timezone.now().timestamp() + seconds
        self.redis.set(f"firmpay:acct:pause:{key}", until, ex=int(seconds) + 60)

    def acquire(self, key: str, per_window: int, concurrent: int, seconds: int) -> None:
        now = timezone.now().timestamp()
        paused_until = self.redis.get(f"firmpay:acct:pause:{key}")
        if paused_until and float(paused_until) > now:
            raise RateLimitWait(float(paused_until) - now)
        window = int(now // seconds)
        count_key = f"firmpay:acct:rate:{key}:{seconds}:{window}"
        flight_key = f"firmpay:acct:flight:{key}"
        pipe = self.redis.pipeline()
        pipe.incr(count_key)
        pipe.expire(count_key, 2 * seconds)
        count = pipe.execute()[0]
        if count > per_window:
            raise RateLimitWait(max((window + 1) * seconds - now, 0.1))
        pipe = self.redis.pipeline()
        pipe.incr(flight_key)
        pipe.expire(flight_key, int(IN_FLIGHT_TTL.total_seconds()))
        flying = pipe.execute()[0]
        if flying > concurrent:
            self.redis.decr(flight_key)
            # The minute's budget was not spent: give the request back.
            self.redis.decr(count_key)
            raise RateLimitWait(BUSY_WAIT_SECONDS)

    def release(self, key: str) -> None:
        flight_key = f"firmpay:acct:flight:{key}"
        if self.redis.decr(flight_key) < 0:
            self.redis.set(flight_key, 0, ex=int(IN_FLIGHT_TTL.total_seconds()))


@lru_cache(maxsize=2)
def _limiter_for(url: str) -> _RedisLimiter:
    return _RedisLimiter(url)


def _redis_limiter() -> _RedisLimiter:
    return _limiter_for(settings.REDIS_URL)
