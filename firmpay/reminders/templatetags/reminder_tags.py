from django import template

from firmpay.reminders.schedule import Schedule, step_label

register = template.Library()


@register.filter
def reminder_step(step):
    return step_label(step)


@register.filter
def schedule_summary(schedule: Schedule) -> str:
    """'3 days before the due date, on the due date, 7 days overdue; then every 14 days, up
    to 4 more times.'"""
    offsets = sorted(set(schedule.offsets))
    if not offsets:
        return "No steps."
    labels = [step_label(offset) for offset in offsets]
    text = ", ".join(label[0].lower() + label[1:] for label in labels)
    if schedule.repeat_every_days and schedule.max_repeats:
        times = "time" if schedule.max_repeats == 1 else "times"
        text += (
            f"; then every {schedule.repeat_every_days} days, up to "
            f"{schedule.max_repeats} more {times}"
        )
    return text + "."
