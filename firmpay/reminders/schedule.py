"""When reminders are due: the default policy, the steps with their repeats, and the
firm-local "reminder day".

A step `offset` is due for an invoice on the firm-local day `due_date + offset`, from the
firm's send hour that day until the send hour the next day. The hourly sweep therefore asks,
per firm, "which day's reminders are going out right now?" (`reminder_day`), and looks for
invoices whose due date is that day minus each step's offset.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_SEND_HOUR = 9
DEFAULT_REPEAT_EVERY_DAYS = 14
DEFAULT_MAX_REPEATS = 4

_BEFORE_SUBJECT = "Invoice {invoice_number} is due on {due_date}"
_BEFORE_BODY = (
    "Dear {client_name},\n\n"
    "A friendly reminder that invoice {invoice_number} for {amount_due} is due on {due_date}.\n\n"
    "You can see and pay it here: {pay_link}\n\n"
    "If you have already paid, thank you, and please ignore this email."
)
_DUE_SUBJECT = "Invoice {invoice_number} is due today"
_DUE_BODY = (
    "Dear {client_name},\n\n"
    "Invoice {invoice_number} for {amount_due} is due today ({due_date}).\n\n"
    "You can see and pay it here: {pay_link}\n\n"
    "If you have already paid, thank you, and please ignore this email."
)
_OVERDUE_SUBJECT = "Invoice {invoice_number} is overdue"
_OVERDUE_BODY = (
    "Dear {client_name},\n\n"
    "Invoice {invoice_number} was due on {due_date} and {amount_due} is still outstanding.\n\n"
    "Please pay it here: {pay_link}\n\n"
    "If you have already paid, thank you, and please ignore this email. If something is "
    "wrong with the invoice, just reply and let us know."
)


@dataclass(frozen=True, slots=True)
class StepText:
    offset_days: int
    subject: str
    body: str


def default_step_text(offset_days: int) -> StepText:
    if offset_days < 0:
        return StepText(offset_days, _BEFORE_SUBJECT, _BEFORE_BODY)
    if offset_days == 0:
        return StepText(offset_days, _DUE_SUBJECT, _DUE_BODY)
    return StepText(offset_days, _OVERDUE_SUBJECT, _OVERDUE_BODY)


DEFAULT_OFFSETS = (-3, 0, 7, 14)
DEFAULT_STEPS = tuple(default_step_text(offset) for offset in DEFAULT_OFFSETS)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A firm's reminder timing: the fixed steps, then a repeat every N days, M times."""

    enabled: bool = True
    send_hour: int = DEFAULT_SEND_HOUR
    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    repeat_every_days: int = DEFAULT_REPEAT_EVERY_DAYS
    max_repeats: int = DEFAULT_MAX_REPEATS

    def step_offsets(self) -> tuple[int, ...]:
        """Every step, repeats included, in order: each is the ReminderSend.step it records."""
        fixed = tuple(sorted(set(self.offsets)))
        if not fixed or self.repeat_every_days <= 0:
            return fixed
        last = fixed[-1]
        repeats = tuple(last + self.repeat_every_days * n for n in range(1, self.max_repeats + 1))
        return fixed + repeats


DEFAULT_SCHEDULE = Schedule()


@lru_cache(maxsize=1024)
def firm_zone(name: str) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def reminder_day(now: datetime.datetime, *, zone_name: str, send_hour: int) -> datetime.date:
    """The firm-local day whose reminders are going out at `now`: today from the send hour
    on, yesterday before it. Daylight-saving changes need nothing special: the local wall
    clock decides (a send hour skipped by a spring-forward goes out in the next hour)."""
    local = now.astimezone(firm_zone(zone_name))
    if local.hour >= send_hour:
        return local.date()
    return local.date() - datetime.timedelta(days=1)


def send_moment(day: datetime.date, *, zone_name: str, send_hour: int) -> datetime.datetime:
    """When the reminders of a firm-local day go out (aware, in the firm's zone)."""
    return datetime.datetime.combine(day, datetime.time(send_hour), tzinfo=firm_zone(zone_name))


def step_label(step: int | None) -> str:
    if step is None:
        return "Sent by hand"
    if step < 0:
        return f"{-step} day{'s' if step != -1 else ''} before the due date"
    if step == 0:
        return "On the due date"
    return f"{step} day{'s' if step != 1 else ''} overdue"
