"""The firm's invoice pages. Thin: forms parse, services write, selectors read."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from firmpay.clients.selectors import client_choices, client_get
from firmpay.core.live import POLL_SECONDS, live_stamp, live_url, unchanged
from firmpay.core.money import to_decimal
from firmpay.invoices import selectors, services
from firmpay.invoices.dates import firm_today
from firmpay.invoices.exceptions import InvoiceError
from firmpay.invoices.forms import (
    LINES_PREFIX,
    STATUS_FILTER_CHOICES,
    InvoiceFilterForm,
    InvoiceForm,
    LineFormSet,
    ManualPaymentForm,
    line_initial,
)
from firmpay.invoices.hooks import invoice_external_amounts
from firmpay.invoices.links import invoice_link_url
from firmpay.invoices.models import InvoiceStatus
from firmpay.tenancy.decorators import member_required


@member_required
def invoice_list(request):
    firm = request.firm
    filters = InvoiceFilterForm(request.GET, firm=firm)
    filters.is_valid()
    data = filters.cleaned_data
    status = data.get("status") or ""
    today = firm_today(firm)
    invoices = selectors.invoice_list(
        firm=firm,
        status=status if status in InvoiceStatus.values else None,
        client=data.get("client"),
        search=data.get("q", ""),
        overdue=status == "overdue",
        today=today,
    )
    page = selectors.invoice_page(invoices, before=data.get("before"), after=data.get("after"))
    for invoice in page.invoices:
        invoice.display_status = selectors.invoice_display_status(invoice, today)
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    context = {
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "status": status,
        "status_choices": STATUS_FILTER_CHOICES[1:],
        "client_id": data["client"].pk if data.get("client") else None,
    }
    if request.headers.get("HX-Request"):
        return render(request, "invoices/_list_table.html", context)
    # Plain (id, name) pairs: rendering hundreds of options through the form widget costs
    # more than the whole page of invoices.
    context["client_choices"] = client_choices(firm=firm)
    return render(request, "invoices/list.html", context)


def _form_page(request, *, invoice=None):
    """Create and edit share one form: the invoice fields and a formset of lines.
    The "Add line" button posts the form back with one more empty line and saves nothing."""
    firm = request.firm
    current_client = invoice.client if invoice else None
    if request.method == "POST":
        form = InvoiceForm(request.POST, firm=firm, current_client=current_client)
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
                saved = _save(request, form=form, lines=lines, invoice=invoice)
            except InvoiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Invoice {saved.number} saved as a draft.")
                return redirect("invoices:detail", invoice_id=saved.pk)
        show_errors = not adding_line
    else:
        form, lines = _unbound_forms(request, invoice=invoice)
        show_errors = False
    context = {"form": form, "lines": lines, "invoice": invoice, "show_errors": show_errors}
    return render(request, "invoices/form.html", context)


def _unbound_forms(request, *, invoice):
    firm = request.firm
    if invoice is not None:
        initial = {
            "client": invoice.client,
            "currency": invoice.currency,
            "issue_date": invoice.issue_date,
            "due_date": invoice.due_date,
            "notes": invoice.notes,
        }
        form = InvoiceForm(initial=initial, firm=firm, current_client=invoice.client)
        lines = LineFormSet(
            prefix=LINES_PREFIX,
            initial=[line_initial(line, invoice.currency) for line in invoice.lines.all()],
            form_kwargs={"currency": invoice.currency},
        )
        return form, lines
    initial = {"currency": firm.default_currency, "issue_date": firm_today(firm)}
    client_id = request.GET.get("client")
    if client_id and client_id.isdigit():
        client = client_get(firm=firm, client_id=int(client_id))
        initial.update(client=client, currency=client.currency)
    form = InvoiceForm(initial=initial, firm=firm)
    lines = LineFormSet(prefix=LINES_PREFIX, form_kwargs={"currency": initial["currency"]})
    return form, lines


def _save(request, *, form, lines, invoice):
    fields = form.cleaned_data
    common = {
        "client": fields["client"],
        "lines": lines.lines(),
        "currency": fields["currency"],
        "issue_date": fields["issue_date"],
        "due_date": fields["due_date"],
        "notes": fields["notes"],
    }
    if invoice is None:
        return services.invoice_create(firm=request.firm, created_by=request.user, **common)
    return services.invoice_update(invoice=invoice, **common)


@member_required
def invoice_create(request):
    return _form_page(request)


@member_required
def invoice_edit(request, invoice_id):
    invoice = selectors.invoice_get(firm=request.firm, invoice_id=invoice_id)
    if not invoice.is_draft:
        messages.error(request, f"{invoice.number} has been sent and can no longer be edited.")
        return redirect("invoices:detail", invoice_id=invoice.pk)
    return _form_page(request, invoice=invoice)


# While an invoice can still change by itself (a client paying, a bank debit settling or
# failing), its page follows along.
LIVE_STATUSES = (
    InvoiceStatus.OPEN,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.PAYMENT_PROCESSING,
)


@member_required
def invoice_detail(request, invoice_id):
    invoice = selectors.invoice_get(firm=request.firm, invoice_id=invoice_id)
    amounts = invoice_external_amounts(invoice=invoice)
    stamp = live_stamp(invoice.status, invoice.updated_at, amounts)
    if (response := unchanged(request, stamp)) is not None:
        return response
    today = firm_today(request.firm)
    context = {
        "live_url": live_url(request, stamp)
        if invoice.status in LIVE_STATUSES or amounts.processing
        else "",
        "poll_seconds": POLL_SECONDS,
        "on_its_way": amounts.processing,
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        "payments": list(selectors.invoice_manual_payments(invoice=invoice)),
        "display_status": selectors.invoice_display_status(invoice, today),
        "client_link": None if invoice.is_draft else invoice_link_url(invoice),
    }
    return render(request, "invoices/detail.html", context)


def _action(request, invoice_id, perform, success: str):
    invoice = selectors.invoice_get(firm=request.firm, invoice_id=invoice_id)
    try:
        perform(invoice)
    except InvoiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success.format(number=invoice.number))
    return redirect("invoices:detail", invoice_id=invoice.pk)


@require_POST
@member_required
def invoice_send(request, invoice_id):
    return _action(
        request,
        invoice_id,
        lambda invoice: services.invoice_send(invoice=invoice, sent_by=request.user),
        "Invoice {number} sent.",
    )


@require_POST
@member_required
def invoice_void(request, invoice_id):
    return _action(
        request,
        invoice_id,
        lambda invoice: services.invoice_void(
            invoice=invoice, voided_by=request.user, request=request
        ),
        "Invoice {number} is void.",
    )


@require_POST
@member_required
def invoice_link_revoke(request, invoice_id):
    return _action(
        request,
        invoice_id,
        lambda invoice: services.invoice_link_revoke(
            invoice=invoice, revoked_by=request.user, request=request
        ),
        "The old link to {number} no longer works; the client link below is the new one.",
    )


@member_required
def invoice_payment_record(request, invoice_id):
    invoice = selectors.invoice_get(firm=request.firm, invoice_id=invoice_id)
    initial = {
        "amount": f"{to_decimal(invoice.amount_due, invoice.currency):f}",
        "received_on": firm_today(request.firm),
        "method": "bank_transfer",
    }
    form = ManualPaymentForm(request.POST or None, initial=initial, currency=invoice.currency)
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_record_manual_payment(
                invoice=invoice, recorded_by=request.user, request=request, **form.cleaned_data
            )
        except InvoiceError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, f"Payment recorded on {invoice.number}.")
            return redirect("invoices:detail", invoice_id=invoice.pk)
    return render(request, "invoices/payment_form.html", {"invoice": invoice, "form": form})
