"""A read-only model of the packaged XSDs: element declarations and the children each
complex type allows (its base types' first), for resolving case XPaths and for qualifying
the unqualified elements of a request.

Built once from the files under ``conformance/schema/xsd`` (nothing outside the package).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree

from ..apis import APIS, Api
from ..namespaces import NS

XS = "http://www.w3.org/2001/XMLSchema"
_XS = f"{{{XS}}}"
_PLACEMENT = re.compile(r"placement (documented|inferred)")
_CONTAINERS = {f"{_XS}{t}" for t in ("sequence", "choice", "all", "complexContent",
                                      "extension", "restriction")}


@dataclass(frozen=True)
class Decl:
    """An element declaration: its qualified name, and its complex type (None: simple)."""

    ns: str | None
    name: str
    type_key: tuple[str, ...] | None
    placement: str | None = None  # overlay: documented | inferred; None: Cisco's 2011 XSD
    owner: str = ""               # the type it is declared in (for messages)
    parent_inferred: bool = False  # overlay: the parent itself is a guess

    @property
    def clark(self) -> str:
        return f"{{{self.ns}}}{self.name}" if self.ns else self.name


@dataclass
class ComplexType:
    key: tuple[str, ...]
    label: str
    children: list[Decl] = field(default_factory=list)
    open: bool = False            # xsd:any: any child may appear
    placement: str | None = None  # a type of the overlay


def _placement_of(node: etree._Element) -> str | None:
    ann = node.find(f"{_XS}annotation/{_XS}documentation")
    if ann is not None and ann.text and ann.text.startswith("overlay:"):
        found = _PLACEMENT.search(ann.text)
        return found.group(1) if found else None
    return None


class Model:
    def __init__(self, files: dict[str, bytes]) -> None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 remove_comments=True)
        self._docs: list[etree._Element] = []
        self._types: dict[tuple[str, str], etree._Element] = {}
        self._elements: dict[tuple[str, str], etree._Element] = {}
        for data in files.values():
            doc = etree.fromstring(data, parser)
            self._docs.append(doc)
            tns = doc.get("targetNamespace", "")
            for node in doc:
                if node.tag == f"{_XS}complexType":
                    self._types[(tns, node.get("name", ""))] = node
                elif node.tag == f"{_XS}element":
                    self._elements[(tns, node.get("name", ""))] = node
        self._built: dict[tuple[str, ...], ComplexType] = {}
        self._inline: dict[tuple[str, ...], tuple[etree._Element, str]] = {}
        # an inline type's elements are as much overlay as the element that holds them
        self._inline_placement: dict[tuple[str, ...], str | None] = {}

    # -- types ----------------------------------------------------------------------------
    def _tns(self, node: etree._Element) -> str:
        return node.getroottree().getroot().get("targetNamespace", "")

    def _qualified_form(self, node: etree._Element) -> bool:
        root = node.getroottree().getroot()
        return root.get("elementFormDefault") == "qualified"

    def _resolve_qname(self, node: etree._Element, value: str) -> tuple[str, str]:
        prefix, _, local = value.rpartition(":")
        return node.nsmap.get(prefix or None, ""), local

    def named(self, ns: str, local: str) -> ComplexType | None:
        key = ("named", ns, local)
        if key in self._built:
            return self._built[key]
        node = self._types.get((ns, local))
        if node is None:
            return None
        return self._build(key, node, f"{_prefix(ns)}:{local}")

    def get(self, key: tuple[str, ...] | None) -> ComplexType | None:
        if key is None:
            return None
        if key in self._built:
            return self._built[key]
        if key[0] == "named":
            return self.named(key[1], key[2])
        node, label = self._inline[key]
        return self._build(key, node, label)

    def _build(self, key: tuple[str, ...], node: etree._Element, label: str) -> ComplexType:
        ctype = ComplexType(key, label, placement=_placement_of(node)
                            or self._inline_placement.get(key))
        self._built[key] = ctype  # before the children: recursive types
        ext = node.find(f"{_XS}complexContent/{_XS}extension")
        if ext is not None:
            base = self.named(*self._resolve_qname(ext, ext.get("base", "")))
            if base is not None:
                ctype.children.extend(base.children)
                ctype.open = base.open
                ctype.placement = ctype.placement or base.placement
        self._collect(node, ctype, label)
        return ctype

    def _collect(self, node: etree._Element, ctype: ComplexType, label: str) -> None:
        for child in node:
            if child.tag == f"{_XS}element":
                ctype.children.append(self._decl(child, label, ctype.placement))
            elif child.tag == f"{_XS}any":
                ctype.open = True
            elif child.tag in _CONTAINERS:
                self._collect(child, ctype, label)

    def _decl(self, node: etree._Element, owner: str, inherited: str | None) -> Decl:
        if node.get("ref"):
            ns, local = self._resolve_qname(node, node.get("ref", ""))
            target = self._elements.get((ns, local))
            if target is None:
                return Decl(ns, local, None, owner=owner)
            return self._decl(target, owner, inherited)
        name = node.get("name", "")
        is_global = node.getparent() is node.getroottree().getroot()
        form = node.get("form")
        qualified = is_global or (form == "qualified" if form else self._qualified_form(node))
        ns = self._tns(node) if qualified else None
        placement = _placement_of(node) or inherited
        note = node.find(f"{_XS}annotation/{_XS}documentation")
        parent_inferred = note is not None and "parent inferred" in (note.text or "")
        type_key: tuple[str, ...] | None = None
        if node.get("type"):
            tns, local = self._resolve_qname(node, node.get("type", ""))
            if (tns, local) in self._types:
                type_key = ("named", tns, local)
        else:
            inline = node.find(f"{_XS}complexType")
            if inline is not None:
                type_key = ("inline", str(id(inline)))
                self._inline[type_key] = (inline, f"{owner}/{name}")
                self._inline_placement[type_key] = placement
        return Decl(ns, name, type_key, placement, owner, parent_inferred)

    def children(self, decl_or_type: Decl | ComplexType | None) -> tuple[list[Decl], bool]:
        """The child declarations and whether any other child may appear (xsd:any)."""
        ctype = self.get(decl_or_type.type_key) if isinstance(decl_or_type, Decl) \
            else decl_or_type
        if ctype is None:
            return [], False
        return ctype.children, ctype.open

    # -- APIs -----------------------------------------------------------------------------
    def api_type(self, api: Api | str, side: str) -> ComplexType | None:
        spec = APIS[api] if isinstance(api, str) else api
        if side == "request":
            ns, local = NS[spec.prefix], spec.name[0].lower() + spec.name[1:]
        else:
            prefix, _, local = spec.response_type.partition(":")
            ns = NS[prefix]
        return self.named(ns, local)

    def message_decl(self) -> Decl:
        return self._decl(self._elements[(NS["serv"], "message")], "", None)


def _prefix(ns: str) -> str:
    for prefix, uri in NS.items():
        if uri == ns:
            return prefix
    return ns


def package_files() -> dict[str, bytes]:
    """The packaged XSD files (relative path -> bytes)."""
    root = resources.files("conformance.schema").joinpath("xsd")
    out: dict[str, bytes] = {}

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            name = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, name + "/")
            elif child.name.endswith(".xsd"):
                out[name] = child.read_bytes()
    walk(root, "")
    return out


@cache
def model() -> Model:
    return Model(package_files())
