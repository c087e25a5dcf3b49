"""Reads for clients, always scoped by the firm."""

from django.db import connection
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from firmpay.clients.models import Client


def client_list(*, firm, search: str = "", include_archived: bool = False) -> QuerySet[Client]:
    clients = Client.objects.filter(firm=firm)
    if not include_archived:
        clients = clients.filter(archived_at__isnull=True)
    search = search.strip()
    if search:
        clients = clients.filter(Q(name__icontains=search) | Q(email__icontains=search))
    return clients.order_by("name", "id")


def client_get(*, firm, client_id) -> Client:
    """The firm's client, or 404: another firm's client does not exist here."""
    return get_object_or_404(Client, firm=firm, pk=client_id)


_CHOICES_SQL = None


def client_choices(*, firm) -> list[tuple[int, str]]:
    """(id, name) of the firm's clients, archived ones included, for filters. The SQL is
    built by the ORM once per process: compiling it took longer than running it
    (index client_firm_name_idx covers it), and the invoice list asks on every page."""
    global _CHOICES_SQL
    if _CHOICES_SQL is None:
        query = Client.objects.filter(firm_id=0).order_by("name", "id").values_list("id", "name")
        _CHOICES_SQL, _params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_CHOICES_SQL, [firm.pk])
        return [(row[0], row[1]) for row in cursor.fetchall()]
