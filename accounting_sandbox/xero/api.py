"""Helpers the Accounting API modules share: public shapes, paging, and Xero's batch
semantics (up to 50 elements; `summarizeErrors`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounting_sandbox.errors import XeroError, xero_validation
from accounting_sandbox.router import Request
from accounting_sandbox.xero.where import compile_where

X = "xero"
BATCH_MAX = 50
PAGE_SIZE = 100


class ItemError(Exception):
    """One element of a batch failed validation."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def listing(
    req: Request,
    kind: str,
    key: str,
    *,
    ids_param: str = "IDs",
    id_field: str = "",
    extra: Callable[[dict[str, Any]], bool] | None = None,
    order: str = "",
) -> dict[str, Any]:
    rows = req.sb.store.all(X, req.tenant, kind)
    if extra:
        rows = [r for r in rows if extra(r)]
    if req.query.get(ids_param) and id_field:
        wanted = {i.strip().lower() for i in req.query[ids_param].split(",")}
        rows = [r for r in rows if r[id_field].lower() in wanted]
    if req.query.get("where"):
        predicate = compile_where(req.query["where"])
        rows = [r for r in rows if predicate(r)]
    wanted = (req.query.get("order") or order).split()
    if wanted:  # "Name", "Name DESC", "UpdatedDateUTC ASC"
        field, descending = wanted[0], len(wanted) > 1 and wanted[1].upper() == "DESC"
        rows.sort(key=lambda r: str(r.get(field, "")).lower(), reverse=descending)
    answer: dict[str, Any] = {}
    if "page" in req.query:
        page = max(int(req.query.get("page") or 1), 1)
        size = min(max(int(req.query.get("pageSize") or PAGE_SIZE), 1), 1000)
        count = len(rows)
        rows = rows[(page - 1) * size : page * size]
        answer["pagination"] = {
            "page": page,
            "pageSize": size,
            "pageCount": (count + size - 1) // size,
            "itemCount": count,
        }
    answer[key] = [public(r) for r in rows]
    return answer


def summarize(req: Request) -> bool:
    return req.query.get("summarizeErrors", "true").lower() != "false"


def batch(
    req: Request,
    key: str,
    items: list[dict[str, Any]],
    save: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    error_flag: str = "HasValidationErrors",
    id_fields: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Save each element; all-or-nothing (400 listing the failures) unless
    `summarizeErrors=false`, which saves what it can and marks each element OK or ERROR."""
    if not items:
        raise xero_validation([], f"No {key} were provided")
    if len(items) > BATCH_MAX:
        raise xero_validation([], f"A maximum of {BATCH_MAX} {key} can be sent in one request")
    results, failures = [], []
    for item in items:
        try:
            with req.sb.store.transaction():
                results.append(public(save(item)))
        except ItemError as exc:
            errors = [{"Message": m} for m in exc.messages]
            failures.append(
                {"ValidationErrors": errors, **{f: item[f] for f in id_fields if f in item}}
            )
            results.append(
                {
                    **_echo(item),
                    error_flag: True,
                    "StatusAttributeString": "ERROR",
                    "ValidationErrors": errors,
                }
            )
    if failures and summarize(req):
        raise xero_validation(failures)
    if not summarize(req):
        for row in results:
            row.setdefault("StatusAttributeString", "OK")
    return {key: results}


def _echo(item: dict[str, Any]) -> dict[str, Any]:
    """A refused element as Xero returns it: its dates written Xero's way."""
    from accounting_sandbox.xero.model import msdate, parse_date

    return {
        k: msdate(parse_date(v)) if k in DATES and isinstance(v, str) and v else v
        for k, v in item.items()
    }


DATES = ("Date", "DueDate", "ExpectedPaymentDate", "PlannedPaymentDate")


def not_found() -> XeroError:
    return XeroError(
        404,
        {
            "ErrorNumber": 404,
            "Type": "NotFoundException",
            "Message": "The resource you're looking for cannot be found",
        },
    )
