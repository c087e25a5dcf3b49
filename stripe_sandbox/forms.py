"""Request bodies as the SDK and browsers send them.

The SDK form-encodes nested params with bracket keys (`a[b][c]=`, lists as
`a[0][x]=`, older clients `expand[]=`). Parsing keeps list indices as dict
keys ("0", "1"): whether `a[0]` is a list item or a metadata key named "0"
is only known from the param's type, so the validator decides (see
`listify` for routes without a declared type).
"""

from __future__ import annotations

import re
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


class FormError(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def parse_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in pairs:
        _assign(root, key, value)
    return root


def parse_query(text: str) -> dict[str, Any]:
    if not text:
        return {}
    return parse_pairs(parse_qsl(text, keep_blank_values=True))


def _assign(root: dict[str, Any], key: str, value: str) -> None:
    match = _KEY.match(key)
    if not match:
        raise FormError(key, f"Invalid parameter name: {key}")
    parts = [match.group(1), *_PART.findall(match.group(2))]
    node: Any = root
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "":
            # `a[]=` appends; a list cannot hold nested keys in this form.
            if not isinstance(node, list) or not last:
                raise FormError(key, f"Invalid array parameter: {key}")
            node.append(value)
            return
        nxt = parts[i + 1] if not last else None
        if last:
            if isinstance(node.get(part), dict | list):
                raise FormError(key, f"Conflicting values for parameter {key}")
            node[part] = value
            return
        child = node.get(part)
        if child is None:
            child = [] if nxt == "" else {}
            node[part] = child
        elif not isinstance(child, dict | list) or (nxt == "") != isinstance(child, list):
            raise FormError(key, f"Conflicting values for parameter {key}")
        node = child


def is_index_dict(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(k.isdigit() for k in value)


def index_dict_to_list(value: dict[str, Any]) -> list[Any]:
    return [value[k] for k in sorted(value, key=int)]


def listify(value: Any) -> Any:
    """Best guess for untyped params: digit-keyed dicts become lists."""
    if isinstance(value, dict):
        converted = {k: listify(v) for k, v in value.items()}
        return index_dict_to_list(converted) if is_index_dict(converted) else converted
    if isinstance(value, list):
        return [listify(v) for v in value]
    return value


def parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """Fields and files of a multipart/form-data body (the document upload)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename is not None:
            files[name] = (filename, payload)
        else:
            fields[name] = payload.decode("utf-8", "replace")
    return fields, files
