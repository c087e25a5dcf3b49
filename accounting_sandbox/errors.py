"""Errors handlers raise; the pipeline turns each into the vendor's own answer shape."""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    status = 400


class OAuthError(SandboxError):
    """RFC 6749's flat shape: {"error", "error_description"}."""

    def __init__(self, error: str, description: str = "", status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict[str, Any]:
        out = {"error": self.error}
        if self.description:
            out["error_description"] = self.description
        return out


class XeroError(SandboxError):
    """A Xero answer other than 200: `body` is what Xero sends."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(str(body))
        self.status, self._body, self.headers = status, body, headers or {}

    def body(self) -> dict[str, Any]:
        return self._body


class QuickBooksFault(SandboxError):
    """A QuickBooks Fault: `{"Fault": {"Error": [...], "type": ...}, "time": ...}`."""

    def __init__(
        self,
        code: str,
        message: str,
        detail: str = "",
        *,
        type: str = "ValidationFault",
        status: int = 400,
        element: str = "",
    ) -> None:
        super().__init__(f"{code} {message}")
        self.code, self.message, self.detail = code, message, detail
        self.type, self.status, self.element = type, status, element

    def fault(self) -> dict[str, Any]:
        error = {
            "Message": self.message,
            "Detail": self.detail or self.message,
            "code": self.code,
            "element": self.element,
        }
        return {"Error": [error], "type": self.type}


class ControlError(SandboxError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


class PageError(SandboxError):
    def __init__(self, title: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.title, self.message, self.status = title, message, status


def xero_problem(status: int, title: str, detail: str) -> XeroError:
    """Xero's identity/authorisation problems: 401 and 403 bodies."""
    return XeroError(
        status,
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": detail,
            "Instance": "",
            "Extensions": {},
        },
    )


def xero_validation(
    elements: list[dict[str, Any]], message: str = "A validation exception occurred"
) -> XeroError:
    return XeroError(
        400,
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": message,
            "Elements": elements,
        },
    )


def xero_not_found(message: str) -> XeroError:
    return XeroError(404, {"ErrorNumber": 404, "Type": "NotFoundException", "Message": message})
