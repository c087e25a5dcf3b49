"""QuickBooks Online's entity schemas (Intuit's XSDs) read into a small type model, and a
check of JSON entities against it.

QuickBooks' JSON is its XML turned into objects: an element becomes a key, an element that
may repeat (`maxOccurs > 1`) an array, an attribute a key of its own (`domain`, `sparse`,
`code`), and a simple-content type (`ReferenceType`) keeps its text under `value` beside its
attributes. Types: `xs:decimal` and friends are JSON numbers, `xs:boolean` booleans,
`xs:date` "YYYY-MM-DD", `xs:dateTime` ISO 8601, everything else strings.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "schemas" / "quickbooks"
FILES = (
    "IntuitBaseTypes.xsd",
    "IntuitNamesTypes.xsd",
    "SalesTax.xsd",
    "Finance.xsd",
    "IntuitRestServiceDef.xsd",
)
XS = "{http://www.w3.org/2001/XMLSchema}"
NUMBERS = {"decimal", "double", "float"}
INTEGERS = {
    "int",
    "integer",
    "long",
    "short",
    "positiveInteger",
    "nonNegativeInteger",
    "unsignedInt",
    "byte",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


@dataclass
class Field:
    type: str
    many: bool = False
    required: bool = False


@dataclass
class ComplexType:
    name: str
    base: str | None = None
    fields: dict[str, Field] = field(default_factory=dict)
    attrs: dict[str, Field] = field(default_factory=dict)
    # simple content (ReferenceType): its text goes under "value"
    simple: str | None = None
    any: bool = False


@dataclass
class Schema:
    complex: dict[str, ComplexType] = field(default_factory=dict)
    simple: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    elements: dict[str, str] = field(default_factory=dict)
    substitutes: dict[str, list[str]] = field(default_factory=dict)
    groups: dict[str, ET.Element] = field(default_factory=dict)

    def all_fields(self, name: str) -> tuple[dict[str, Field], dict[str, Field], str | None, bool]:
        """Fields and attributes of a complex type, its bases' included."""
        ctype = self.complex[name]
        fields: dict[str, Field] = {}
        attrs: dict[str, Field] = {}
        simple, any_ = ctype.simple, ctype.any
        if ctype.base and ctype.base in self.complex:
            fields, attrs, base_simple, base_any = self.all_fields(ctype.base)
            fields, attrs = dict(fields), dict(attrs)
            simple, any_ = simple or base_simple, any_ or base_any
        fields.update(ctype.fields)
        attrs.update(ctype.attrs)
        return fields, attrs, simple, any_

    def members(self, head: str) -> list[str]:
        out = []
        for name in self.substitutes.get(head, []):
            out.append(name)
            out.extend(self.members(name))
        return out


def _local(name: str | None) -> str:
    return (name or "").split(":")[-1]


def _many(node: ET.Element, parent_many: bool) -> bool:
    return parent_many or node.get("maxOccurs", "1") not in ("0", "1")


class _Reader:
    def __init__(self, schema: Schema) -> None:
        self.s = schema
        self._anon = 0

    def read(self, root: ET.Element) -> None:
        for node in root:
            if node.tag == XS + "complexType":
                self.complex(node, node.get("name"))
            elif node.tag == XS + "simpleType":
                self.simple_type(node, node.get("name"))
            elif node.tag == XS + "element":
                self.global_element(node)
            elif node.tag == XS + "group":
                self.s.groups[node.get("name")] = node

    def global_element(self, node: ET.Element) -> None:
        name = node.get("name")
        type_ = _local(node.get("type"))
        inner = node.find(XS + "complexType")
        if inner is not None:
            type_ = self.complex(inner, f"{name}__anon")
        self.s.elements[name] = type_ or "string"
        if node.get("substitutionGroup"):
            self.s.substitutes.setdefault(_local(node.get("substitutionGroup")), []).append(name)

    def simple_type(self, node: ET.Element, name: str) -> str:
        restriction = node.find(XS + "restriction")
        base = _local(restriction.get("base")) if restriction is not None else "string"
        enums = (
            []
            if restriction is None
            else [e.get("value") for e in restriction.findall(XS + "enumeration")]
        )
        self.s.simple[name] = (base, enums)
        return name

    def complex(self, node: ET.Element, name: str) -> str:
        ctype = ComplexType(name)
        self.s.complex[name] = ctype
        for content_tag in ("complexContent", "simpleContent"):
            content = node.find(XS + content_tag)
            if content is None:
                continue
            ext = content.find(XS + "extension")
            if ext is None:
                ext = content.find(XS + "restriction")
            base = _local(ext.get("base"))
            if content_tag == "simpleContent" and base not in self.s.complex:
                ctype.simple = base
            else:
                ctype.base = base
            self.particles(ext, ctype, False)
            return name
        self.particles(node, ctype, False)
        return name

    def particles(self, node: ET.Element, ctype: ComplexType, many: bool) -> None:
        for child in node:
            tag = child.tag.removeprefix(XS)
            if tag in ("sequence", "choice"):
                self.particles(child, ctype, _many(child, many))
            elif tag == "group":
                group = self.s.groups.get(_local(child.get("ref")))
                if group is not None:
                    self.particles(group, ctype, _many(child, many))
            elif tag == "element":
                self.element(child, ctype, many)
            elif tag == "attribute":
                ctype.attrs[child.get("name")] = Field(
                    _local(child.get("type")) or "string", required=child.get("use") == "required"
                )
            elif tag == "any":
                ctype.any = True

    def element(self, child: ET.Element, ctype: ComplexType, many: bool) -> None:
        ref = child.get("ref")
        if ref:
            # a substitution-group head (IntuitObject): any member may stand here
            ctype.fields["@" + _local(ref)] = Field(_local(ref), _many(child, many))
            return
        name = child.get("name")
        type_ = _local(child.get("type"))
        if not type_:
            inner = child.find(XS + "complexType")
            simple = child.find(XS + "simpleType")
            self._anon += 1
            if inner is not None:
                type_ = self.complex(inner, f"{ctype.name}.{name}")
            elif simple is not None:
                type_ = self.simple_type(simple, f"{ctype.name}.{name}")
            else:
                type_ = "string"
        ctype.fields[name] = Field(type_, _many(child, many), child.get("minOccurs", "1") != "0")


@functools.cache
def schema() -> Schema:
    s = Schema()
    reader = _Reader(s)
    roots = [ET.parse(HERE / name).getroot() for name in FILES]  # noqa: S314 - our vendored files
    for root in roots:  # groups first: types refer to them
        for node in root.findall(XS + "group"):
            s.groups[node.get("name")] = node
    for root in roots:
        reader.read(root)
    return s


# -- checking JSON ------------------------------------------------------------------------
@dataclass
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def check_entity(entity: str, value: Any, *, request: bool = False) -> list[Problem]:
    """Problems of one entity's JSON (`{"DisplayName": ...}` for "Customer")."""
    s = schema()
    problems: list[Problem] = []
    _check(s, s.elements.get(entity, entity), value, entity, problems, request=request)
    return problems


def check_response(body: Any) -> list[Problem]:
    """Problems of a whole answer: an IntuitResponse (`{"Invoice": {...}, "time": ...}`)."""
    s = schema()
    problems: list[Problem] = []
    _check(s, "IntuitResponse", body, "IntuitResponse", problems, request=False)
    return problems


def _check(
    s: Schema, type_: str, value: Any, path: str, out: list[Problem], *, request: bool
) -> None:
    if type_ in s.complex:
        _check_complex(s, type_, value, path, out, request=request)
    else:
        _check_simple(s, type_, value, path, out)


def _check_complex(
    s: Schema, type_: str, value: Any, path: str, out: list[Problem], *, request: bool
) -> None:
    fields, attrs, simple, any_ = s.all_fields(type_)
    if not isinstance(value, dict):
        out.append(Problem(path, f"expected an object ({type_}), got {type(value).__name__}"))
        return
    heads = {k[1:]: f for k, f in fields.items() if k.startswith("@")}
    members = {m: f for head, f in heads.items() for m in s.members(head)}
    for key, item in value.items():
        where = f"{path}.{key}"
        if key in fields:
            _check_field(s, fields[key], item, where, out, request=request)
        elif key in members:
            f = members[key]
            _check_field(s, Field(s.elements[key], f.many), item, where, out, request=request)
        elif key in attrs:
            _check_simple(s, attrs[key].type, item, where, out)
        elif key == "value" and simple:
            _check_simple(s, simple, item, where, out)
        elif not any_:
            out.append(Problem(where, f"not an element or attribute of {type_}"))
    if not request:
        return
    for name, f in attrs.items():
        if f.required and name not in value:
            out.append(Problem(f"{path}.{name}", "required attribute missing"))


def _check_field(
    s: Schema, f: Field, item: Any, where: str, out: list[Problem], *, request: bool
) -> None:
    if f.many:
        if not isinstance(item, list):
            out.append(Problem(where, "expected an array (the element may repeat)"))
            return
        for i, one in enumerate(item):
            _check(s, f.type, one, f"{where}[{i}]", out, request=request)
    else:
        if isinstance(item, list):
            out.append(Problem(where, "expected one value, got an array"))
            return
        _check(s, f.type, item, where, out, request=request)


def _check_simple(s: Schema, type_: str, value: Any, path: str, out: list[Problem]) -> None:
    enums: list[str] = []
    seen = 0
    while type_ in s.simple and seen < 10:
        base, more = s.simple[type_]
        enums = enums or more
        type_, seen = base, seen + 1
    if type_ in NUMBERS:
        ok = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    elif type_ in INTEGERS:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif type_ == "boolean":
        ok = isinstance(value, bool)
    elif type_ == "date":
        ok = isinstance(value, str) and bool(_DATE.match(value))
    elif type_ == "dateTime":
        ok = isinstance(value, str) and bool(_DATETIME.match(value) or _DATE.match(value))
    elif type_ == "anyType":
        ok = True
    else:
        ok = isinstance(value, str)
    if not ok:
        out.append(Problem(path, f"expected {type_}, got {value!r}"))
    elif enums and value not in enums:
        out.append(Problem(path, f"{value!r} is not one of {', '.join(enums[:12])}"))
