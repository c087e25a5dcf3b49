"""Per-organisation request limits shared by every process (Xero: 60/min and 5 in flight;
QuickBooks: 500/min and 10 in flight).

With REDIS_URL the counters live in Redis; otherwise in a database row locked with
SELECT ... FOR UPDATE. Both count requests in fixed one-minute windows (the vendor's own
429 with Retry-After covers the edge between two windows). A request in flight that never
came back (a killed worker) stops counting after IN_FLIGHT_TTL.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from firmpay.accounting.models import RateBucket
from firmpay.accounting.providers.base import RateLimitWait

WINDOW = datetime.timedelta(minutes=1)
IN_FLIGHT_TTL = datetime.timedelta(minutes=2)
BUSY_WAIT_SECONDS = 1.0


@contextlib.contextmanager
def rate_gate(*, key: str, per_minute: int, concurrent: int) -> Iterator[None]:
    """Hold one request slot for `key`, or raise RateLimitWait(seconds) at once."""
    limiter = _redis_limiter() if settings.REDIS_URL else None
    if limiter is not None:
        limiter.acquire(key, per_minute, concurrent)
    else:
        _db_acquire(key, per_minute, concurrent)
    try:
        yield
    finally:
        if limiter is not None:
            limiter.release(key)
        else:
            _db_release(key)


def _db_acquire(key: str, per_minute: int, concurrent: int) -> None:
    now = timezone.now()
    RateBucket.objects.bulk_create([RateBucket(key=key, window_start=now)], ignore_conflicts=True)
    wait = 0.0
    with transaction.atomic():
        bucket = RateBucket.objects.select_for_update().get(key=key)
        if now - bucket.window_start >= WINDOW:
            bucket.window_start, bucket.window_count = now, 0
        if bucket.in_flight and bucket.in_flight_at and now - bucket.in_flight_at > IN_FLIGHT_TTL:
            bucket.in_flight = 0
        if bucket.window_count >= per_minute:
            wait = (bucket.window_start + WINDOW - now).total_seconds()
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

    def acquire(self, key: str, per_minute: int, concurrent: int) -> None:
        now = timezone.now().timestamp()
        window = int(now // 60)
        count_key = f"firmpay:acct:rate:{key}:{window}"
        flight_key = f"firmpay:acct:flight:{key}"
        pipe = self.redis.pipeline()
        pipe.incr(count_key)
        pipe.expire(count_key, 120)
        count = pipe.execute()[0]
        if count > per_minute:
            raise RateLimitWait(max((window + 1) * 60 - now, 0.1))
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
