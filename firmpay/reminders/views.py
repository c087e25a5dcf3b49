"""Reminder pages: the overview, the policy, the invoice panel (htmx), and unsubscribe."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from firmpay.clients.models import Client
from firmpay.invoices.selectors import invoice_get
from firmpay.reminders import selectors, services
from firmpay.reminders.exceptions import PolicyInvalid, ReminderRefused
from firmpay.reminders.forms import PLACEHOLDER_HELP, PolicyForm, StepFormSet
from firmpay.reminders.models import SendStatus
from firmpay.reminders.schedule import Schedule
from firmpay.reminders.tokens import unsubscribe_client_id
from firmpay.tenancy.decorators import action_required, member_required
from firmpay.tenancy.roles import Action


@member_required
def overview(request):
    firm = request.firm
    context = {
        "schedule": selectors.firm_schedule(firm=firm),
        "upcoming": selectors.reminders_upcoming(firm=firm),
        "recent": selectors.reminders_recent(firm=firm),
        "upcoming_limit": selectors.UPCOMING_LIMIT,
    }
    return render(request, "reminders/overview.html", context)


def _policy_initial(firm):
    schedule: Schedule = selectors.firm_schedule(firm=firm)
    texts = selectors.reminder_step_texts(firm=firm)
    policy = {
        "enabled": schedule.enabled,
        "send_hour": schedule.send_hour,
        "repeat_every_days": schedule.repeat_every_days,
        "max_repeats": schedule.max_repeats,
    }
    steps = [{"offset_days": t.offset_days, "subject": t.subject, "body": t.body} for t in texts]
    return policy, steps


@action_required(Action.REMINDER_POLICY)
def policy_edit(request):
    firm = request.firm
    policy_initial, steps_initial = _policy_initial(firm)
    if request.method == "POST":
        form = PolicyForm(request.POST)
        steps = StepFormSet(request.POST, prefix="steps")
        if form.is_valid() & steps.is_valid():
            try:
                services.reminder_policy_update(
                    firm=firm,
                    steps=steps.steps(),
                    updated_by=request.user,
                    request=request,
                    **form.cleaned_data,
                )
            except PolicyInvalid as exc:
                _policy_error(form, steps, exc)
            else:
                messages.success(request, "Reminder policy saved.")
                return redirect("reminders:overview")
    else:
        form = PolicyForm(initial=policy_initial)
        steps = StepFormSet(initial=steps_initial, prefix="steps")
    context = {"form": form, "steps": steps, "placeholders": PLACEHOLDER_HELP}
    return render(request, "reminders/policy.html", context)


def _policy_error(form, steps, exc: PolicyInvalid) -> None:
    live = [f for f in steps.forms if f.has_changed() or f.initial]
    live = [f for f in live if not (f.cleaned_data or {}).get("DELETE")]
    if exc.step is not None and exc.step < len(live) and exc.field:
        live[exc.step].add_error(exc.field, str(exc))
    elif exc.field in form.fields:
        form.add_error(exc.field, str(exc))
    else:
        form.add_error(None, str(exc))


def _panel(request, invoice, *, notice=None):
    firm = request.firm
    state = selectors.invoice_reminder_state(firm=firm, invoice=invoice)
    upcoming = selectors.reminders_upcoming(firm=firm, invoice=invoice, days=400)
    context = {
        "invoice": invoice,
        "state": state,
        "schedule": selectors.firm_schedule(firm=firm),
        "history": selectors.invoice_reminder_history(firm=firm, invoice=invoice),
        "next_reminder": upcoming[0] if upcoming else None,
        "notice": notice,
        "sent_status": SendStatus.SENT,
    }
    return render(request, "reminders/_invoice_panel.html", context)


@member_required
def invoice_panel(request, invoice_id):
    invoice = invoice_get(firm=request.firm, invoice_id=invoice_id)
    return _panel(request, invoice)


def _respond(request, invoice, level: str, text: str):
    """htmx gets the panel back with the message in it; a plain form post goes back to
    the invoice page with the message on top."""
    if request.headers.get("HX-Request"):
        return _panel(request, invoice, notice={"level": level, "text": text})
    getattr(messages, level)(request, text)
    return redirect("invoices:detail", invoice_id=invoice.pk)


@require_POST
@member_required
def invoice_send_now(request, invoice_id):
    invoice = invoice_get(firm=request.firm, invoice_id=invoice_id)
    try:
        services.reminder_send_now(invoice=invoice, requested_by=request.user)
    except ReminderRefused as exc:
        return _respond(request, invoice, "error", str(exc))
    return _respond(
        request,
        invoice,
        "success",
        f"Reminder for {invoice.number} sent to {invoice.client.email}.",
    )


@require_POST
@member_required
def invoice_pause(request, invoice_id):
    invoice = invoice_get(firm=request.firm, invoice_id=invoice_id)
    if request.POST.get("action") == "resume":
        services.invoice_reminders_resume(invoice=invoice)
        return _respond(request, invoice, "success", "Automatic reminders resumed.")
    services.invoice_reminders_pause(invoice=invoice, paused_by=request.user)
    return _respond(request, invoice, "success", "Automatic reminders paused for this invoice.")


@csrf_exempt  # the signed token is the credential; mail apps POST here (RFC 8058 one-click)
def unsubscribe(request, token):
    client_id = unsubscribe_client_id(token)
    if client_id is None:
        raise Http404("No such link")
    client = get_object_or_404(Client.objects.select_related("firm"), pk=client_id)
    done = False
    if request.method == "POST":
        services.client_reminders_unsubscribe(client=client, request=request)
        done = True
    context = {"client": client, "firm": client.firm, "done": done or client.reminders_opt_out}
    return render(request, "reminders/unsubscribe.html", context)
