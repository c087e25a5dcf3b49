"""Creating and switching firms, firm settings, the plan, and the audit log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from firmpay.tenancy import selectors
from firmpay.tenancy.decorators import member_required, owner_required
from firmpay.tenancy.exceptions import TenancyError
from firmpay.tenancy.forms import FirmCreateForm, FirmForm, PlanForm
from firmpay.tenancy.models import Firm, Plan
from firmpay.tenancy.plans import plan_offers
from firmpay.tenancy.services import firm_create as firm_create_service
from firmpay.tenancy.services import firm_plan_change, firm_update
from firmpay.tenancy.views import redirect_home, session_firm_set

AUDIT_PAGE_SIZE = 50


@login_required
def firm_create(request):
    form = FirmCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        firm = firm_create_service(
            owner=request.user,
            name=data["firm_name"],
            country=data["country"],
            default_currency=data["default_currency"],
            timezone_name=data["timezone"],
            request=request,
        )
        session_firm_set(request, firm)
        messages.success(request, f"{firm.name} is ready. You are its owner.")
        return redirect_home()
    return render(
        request,
        "tenancy/firm_create.html",
        {"form": form, "has_firm": request.membership is not None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def firm_switch(request):
    memberships = selectors.memberships_for_user(user=request.user)
    if request.method == "POST":
        chosen = memberships.filter(firm_id=_int_or_none(request.POST.get("firm_id"))).first()
        if chosen is None:
            raise Http404("You are not a member of that firm.")
        session_firm_set(request, chosen.firm)
        messages.success(request, f"Switched to {chosen.firm.name}.")
        return redirect_home()
    return render(request, "tenancy/firm_switch.html", {"memberships": memberships})


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@member_required
def firm_settings(request):
    can_edit = request.membership.can_manage
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only owners and admins can change the firm's settings.")
    # The form validates against a copy: a ModelForm writes its values onto its instance,
    # and the service compares them with the firm as stored.
    copy = Firm.objects.get(pk=request.firm.pk)
    form = FirmForm(request.POST or None, instance=copy, read_only=not can_edit)
    if request.method == "POST" and form.is_valid():
        firm_update(firm=request.firm, actor=request.user, request=request, **form.cleaned_data)
        messages.success(request, "Firm settings saved.")
        return redirect("tenancy:firm_settings")
    return render(
        request,
        "tenancy/firm_settings.html",
        {"form": form, "can_edit": can_edit, "settings_section": "firm"},
    )


@member_required
def plan(request):
    is_owner = request.membership.is_owner
    form = PlanForm(request.POST or None, initial={"plan": request.firm.plan})
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied("Only the firm's owner can change its plan.")
        if form.is_valid():
            try:
                change = firm_plan_change(
                    firm=request.firm,
                    plan=form.cleaned_data["plan"],
                    actor=request.user,
                    request=request,
                )
            except TenancyError as error:
                form.add_error(error.field, error.message)
            else:
                if change is None:
                    messages.info(request, f"{request.firm.name} is already on that plan.")
                else:
                    messages.success(request, f"Plan changed to {Plan(change.to_plan).label}.")
                return redirect("tenancy:plan")
    plans = plan_offers(current=request.firm.plan)
    return render(
        request,
        "tenancy/plan.html",
        {
            "form": form,
            "plans": plans,
            "is_owner": is_owner,
            "changes": selectors.plan_changes(firm=request.firm),
            "settings_section": "plan",
        },
    )


@owner_required
def audit_log(request):
    paginator = Paginator(selectors.audit_records_of_firm(firm=request.firm), AUDIT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "tenancy/audit_log.html",
        {"page": page, "settings_section": "audit"},
    )
