"""Invoices → Recurring: the firm's schedules. Thin: forms parse, services write."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from firmpay.invoices.dates import firm_today
from firmpay.invoices.forms import LINES_PREFIX, LineFormSet, line_initial
from firmpay.recurring import selectors, services
from firmpay.recurring.exceptions import ScheduleError
from firmpay.recurring.forms import ScheduleForm
from firmpay.recurring.services import ScheduleTerms
from firmpay.tenancy.decorators import member_required

TERM_FIELDS = (
    "client",
    "currency",
    "frequency",
    "every_weeks",
    "start_date",
    "issue_day",
    "end_after_issues",
    "end_on",
    "payment_terms_days",
    "autopay",
    "notes",
)


@member_required
def schedule_list(request):
    schedules = selectors.schedule_list(firm=request.firm)
    return render(request, "recurring/list.html", {"schedules": schedules})


def _form_page(request, *, schedule=None):
    """Create and edit share one form and a formset of lines, as invoices do; "Add line"
    posts back with one more empty line and saves nothing."""
    firm = request.firm
    current_client = schedule.client if schedule else None
    if request.method == "POST":
        form = ScheduleForm(request.POST, firm=firm, current_client=current_client)
        currency = request.POST.get("currency") or firm.default_currency
        data = request.POST
        adding_line = "add_line" in request.POST
        if adding_line:
            data = request.POST.copy()
            key = f"{LINES_PREFIX}-TOTAL_FORMS"
            data[key] = str(int(data.get(key) or 0) + 1)
        lines = LineFormSet(data, prefix=LINES_PREFIX, form_kwargs={"currency": currency})
        if not adding_line and form.is_valid() & lines.is_valid():
            try:
                saved = _save(request, form=form, lines=lines, schedule=schedule)
            except ScheduleError as exc:
                form.add_error(exc.field, str(exc))
            else:
                messages.success(request, "Recurring schedule saved.")
                return redirect("recurring:detail", schedule_id=saved.pk)
        show_errors = not adding_line
    else:
        form, lines = _unbound_forms(request, schedule=schedule)
        show_errors = False
    context = {"form": form, "lines": lines, "schedule": schedule, "show_errors": show_errors}
    return render(request, "recurring/form.html", context)


def _unbound_forms(request, *, schedule):
    firm = request.firm
    if schedule is not None:
        initial = {name: getattr(schedule, name) for name in TERM_FIELDS}
        form = ScheduleForm(initial=initial, firm=firm, current_client=schedule.client)
        lines = LineFormSet(
            prefix=LINES_PREFIX,
            initial=[line_initial(line, schedule.currency) for line in schedule.lines.all()],
            form_kwargs={"currency": schedule.currency},
        )
        return form, lines
    today = firm_today(firm)
    initial = {"currency": firm.default_currency, "start_date": today, "issue_day": today.day}
    form = ScheduleForm(initial=initial, firm=firm)
    lines = LineFormSet(prefix=LINES_PREFIX, form_kwargs={"currency": initial["currency"]})
    return form, lines


def _save(request, *, form, lines, schedule):
    fields = form.cleaned_data
    terms = ScheduleTerms(lines=lines.lines(), **{name: fields[name] for name in TERM_FIELDS})
    if schedule is None:
        return services.schedule_create(
            firm=request.firm, terms=terms, created_by=request.user, request=request
        )
    return services.schedule_update(
        schedule=schedule, terms=terms, updated_by=request.user, request=request
    )


@member_required
def schedule_create(request):
    return _form_page(request)


@member_required
def schedule_edit(request, schedule_id):
    schedule = selectors.schedule_get(firm=request.firm, schedule_id=schedule_id)
    return _form_page(request, schedule=schedule)


@member_required
def schedule_detail(request, schedule_id):
    schedule = selectors.schedule_get(firm=request.firm, schedule_id=schedule_id)
    context = {
        "schedule": schedule,
        "lines": list(schedule.lines.all()),
        "issues": list(selectors.schedule_issues(schedule=schedule)),
    }
    return render(request, "recurring/detail.html", context)


def _action(request, schedule_id, perform, success: str):
    schedule = selectors.schedule_get(firm=request.firm, schedule_id=schedule_id)
    try:
        perform(schedule)
    except ScheduleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("recurring:detail", schedule_id=schedule.pk)


@require_POST
@member_required
def schedule_pause(request, schedule_id):
    return _action(
        request,
        schedule_id,
        lambda s: services.schedule_pause(schedule=s, paused_by=request.user, request=request),
        "Schedule paused: no invoices are issued until you resume it.",
    )


@require_POST
@member_required
def schedule_resume(request, schedule_id):
    return _action(
        request,
        schedule_id,
        lambda s: services.schedule_resume(schedule=s, resumed_by=request.user, request=request),
        "Schedule resumed.",
    )


@require_POST
@member_required
def schedule_end(request, schedule_id):
    return _action(
        request,
        schedule_id,
        lambda s: services.schedule_end(schedule=s, ended_by=request.user, request=request),
        "Schedule ended: it issues no more invoices.",
    )
