"""{{ deadline|firm_day }}: the day in the active timezone (the firm's, set by the
middleware), written like every other day the firm reads (firmpay.core.dates)."""

from django import template
from django.utils import timezone

from firmpay.core.dates import day_format

register = template.Library()


@register.filter
def firm_day(value) -> str:
    return day_format(value, tz=timezone.get_current_timezone())
