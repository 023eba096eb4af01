"""Request payloads in schema order: the children of every element as the XSD's sequence
lists them (a case file or a merged default body writes them in any order; a server that
validates its input needs the schema's order). Elements the schema does not know keep
their relative order after the known ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..apis import APIS
from ._model import ComplexType, Decl, Model, model


def _ordered(m: Model, ctype: ComplexType | None, value: Any) -> Any:
    if isinstance(value, list):
        return [_ordered(m, ctype, item) for item in value]
    if not isinstance(value, Mapping) or ctype is None:
        return value
    children, _ = m.children(ctype)
    index: dict[str, tuple[int, Decl]] = {}
    for position, decl in enumerate(children):
        index.setdefault(decl.name, (position, decl))
    known = len(children)
    keys = sorted(enumerate(value), key=lambda item: (
        index[str(item[1])][0] if str(item[1]) in index else known, item[0]))
    out: dict[Any, Any] = {}
    for _, key in keys:
        decl = index.get(str(key), (0, None))[1]
        out[key] = _ordered(m, m.get(decl.type_key) if decl is not None else None, value[key])
    return out


def order_payload(api: str, payload: Any) -> Any:
    """``payload`` (the mapping of one bodyContent) with every level in schema order;
    anything else (an XML string, None) as it is."""
    if not isinstance(payload, Mapping) or api not in APIS:
        return payload
    m = model()
    return _ordered(m, m.api_type(api, "request"), payload)
