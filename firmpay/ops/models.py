from django.db import models


class LoginThrottle(models.Model):
    """Failed log-in attempts per key (SHA-256 of "ip|email" or "ip"), in a window.
    In the database so every web process sees the same count."""

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key[:12]} {self.failures}"
