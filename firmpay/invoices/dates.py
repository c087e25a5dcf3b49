import datetime
import zoneinfo

from django.utils import timezone


def firm_today(firm) -> datetime.date:
    """Today's date where the firm is: due dates and overdue follow the firm's calendar."""
    try:
        zone = zoneinfo.ZoneInfo(firm.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return timezone.localdate(timezone=zone)


def default_due_date(firm, issue_date: datetime.date) -> datetime.date:
    return issue_date + datetime.timedelta(days=firm.payment_terms_days)
