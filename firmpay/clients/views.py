from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from firmpay.clients import selectors, services
from firmpay.clients.forms import ClientForm, ClientSearchForm
from firmpay.tenancy.decorators import member_required

LIST_LIMIT = 200


@member_required
def client_list(request):
    search = ClientSearchForm(request.GET)
    search.is_valid()
    query = search.cleaned_data.get("q", "")
    include_archived = search.cleaned_data.get("archived", False)
    clients = selectors.client_list(
        firm=request.firm, search=query, include_archived=include_archived
    )[: LIST_LIMIT + 1]
    clients = list(clients)
    context = {
        "search": search,
        "clients": clients[:LIST_LIMIT],
        "more": len(clients) > LIST_LIMIT,
        "query": query,
    }
    if request.headers.get("HX-Request"):
        return render(request, "clients/_table.html", context)
    return render(request, "clients/list.html", context)


@member_required
def client_create(request):
    form = ClientForm(request.POST or None, initial={"currency": request.firm.default_currency})
    if request.method == "POST" and form.is_valid():
        client = services.client_create(firm=request.firm, **form.cleaned_data)
        messages.success(request, f"Client {client.name} added.")
        return redirect("clients:list")
    return render(request, "clients/form.html", {"form": form, "client": None})


@member_required
def client_edit(request, client_id):
    client = selectors.client_get(firm=request.firm, client_id=client_id)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        # The form wrote its values onto the instance; the service validates and saves them.
        services.client_update(client=client, **form.cleaned_data)
        messages.success(request, f"Client {client.name} saved.")
        return redirect("clients:list")
    if request.method == "POST":
        client.refresh_from_db()
    return render(request, "clients/form.html", {"form": form, "client": client})


@require_POST
@member_required
def client_archive(request, client_id):
    client = selectors.client_get(firm=request.firm, client_id=client_id)
    services.client_archive(client=client)
    messages.success(request, f"Client {client.name} archived.")
    return redirect("clients:list")


@require_POST
@member_required
def client_restore(request, client_id):
    client = selectors.client_get(firm=request.firm, client_id=client_id)
    services.client_restore(client=client)
    messages.success(request, f"Client {client.name} restored.")
    return redirect("clients:edit", client_id=client.pk)
