"""Resolving a case's XPath against the schema, without a document.

The XPath (1.0, the prefixes of :mod:`conformance.namespaces`) is compiled by lxml (a
malformed one is an error), then parsed here and evaluated over the schema instead of a
document: every name test must name an element the schema allows at that place, under the
API's request or response type. ``.//x`` must find ``x`` somewhere below; ``*[local-name()=
'a' or local-name()='b']`` must find ``a`` or ``b``. Predicates are checked the same way, in
the context of their step; values, positions and functions are not evaluated.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..apis import APIS
from ..errors import CaseDefinitionError
from ..namespaces import NS
from ._model import Decl, Model, model


class SchemaPathError(CaseDefinitionError):
    """A case XPath or request element the schema does not have (or a malformed XPath)."""


@dataclass(frozen=True)
class Use:
    """An element a path names, and how: ``pinned`` when a child (or sibling, self,
    parent) step names it at its place; a descendant step (``//``) is not pinned."""

    decl: Decl
    pinned: bool
    path: str


# -- schema nodes ---------------------------------------------------------------------------
class Node:
    __slots__ = ("decl", "parent", "kind")

    def __init__(self, decl: Decl | None, parent: Node | None, kind: str = "element"):
        self.decl, self.parent, self.kind = decl, parent, kind

    def __repr__(self) -> str:  # pragma: no cover - debugging
        return f"Node({self.decl.name if self.decl else self.kind})"

    def label(self) -> str:
        if self.decl is None:
            return self.kind
        owner = self.decl.owner
        return f"{_pfx(self.decl.ns)}{self.decl.name}" + (f" (in {owner})" if owner else "")


ANY = Node(None, None, "any")     # something the schema leaves open (xsd:any, unknown parent)
TEXT = Node(None, None, "text")   # text, attributes, other non-elements


def _pfx(ns: str | None) -> str:
    if ns is None:
        return ""
    for prefix, uri in NS.items():
        if uri == ns:
            return prefix + ":"
    return f"{{{ns}}}"


# -- tokens -------------------------------------------------------------------------------------
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<literal>"[^"]*"|'[^']*')
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<op>//|/|\.\.|\.|::|!=|<=|>=|[()\[\]@,|+\-=<>*$])
  | (?P<name>[A-Za-z_][\w.\-]*(?::(?:[A-Za-z_][\w.\-]*|\*))?)
""", re.X)
_OPERATOR_NAMES = {"and", "or", "mod", "div"}
_NODE_TYPES = {"node", "text", "comment", "processing-instruction"}
_FUNCTIONS = {
    "last", "position", "count", "id", "local-name", "namespace-uri", "name", "string",
    "concat", "starts-with", "contains", "substring-before", "substring-after", "substring",
    "string-length", "normalize-space", "translate", "boolean", "not", "true", "false",
    "lang", "number", "sum", "floor", "ceiling", "round",
}
_AXES = {"ancestor", "ancestor-or-self", "attribute", "child", "descendant",
         "descendant-or-self", "following", "following-sibling", "namespace", "parent",
         "preceding", "preceding-sibling", "self"}


_OPERATORS = {"/", "//", "|", "+", "-", "=", "!=", "<", "<=", ">", ">=", *_OPERATOR_NAMES}
_BEFORE_OPERAND = {"@", "::", "(", "[", ","}


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise SchemaPathError(f"invalid XPath {text!r}: unexpected {text[pos:pos + 10]!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        if kind == "ws":
            continue
        value = m.group(kind)
        # XPath 1.0, 3.7: after an operand, '*' multiplies and and/or/mod/div are operators
        prev = out[-1] if out else None
        after_operand = prev is not None and not (
            prev[0] == "mul" or (prev[0] == "op" and (prev[1] in _BEFORE_OPERAND
                                                      or prev[1] in _OPERATORS)))
        if kind == "op" and value == "*":
            kind = "mul" if after_operand else "name"
        elif kind == "name" and value in _OPERATOR_NAMES and after_operand:
            kind = "op"
        out.append((kind, value))
    return out


# -- parser: XPath 1.0 grammar -> nested tuples ------------------------------------------------
class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            self.fail("unexpected end")
        self.i += 1
        return tok  # type: ignore[return-value]

    def accept(self, *values: str) -> str | None:
        tok = self.peek()
        if tok is not None and tok[1] in values and tok[0] in ("op", "mul"):
            self.i += 1
            return tok[1]
        return None

    def expect(self, value: str) -> None:
        if self.accept(value) is None:
            self.fail(f"expected {value!r}")

    def fail(self, why: str) -> None:
        tok = self.peek()
        at = f" at {tok[1]!r}" if tok else ""
        raise SchemaPathError(f"invalid XPath {self.text!r}: {why}{at}")

    def parse(self) -> Any:
        expr = self.expr()
        if self.peek() is not None:
            self.fail("unexpected token")
        return expr

    def expr(self) -> Any:
        return self.binary(0)

    _LEVELS = [("or",), ("and",), ("=", "!="), ("<", ">", "<=", ">="), ("+", "-"),
               ("*", "div", "mod")]

    def binary(self, level: int) -> Any:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            op = self.accept(*self._LEVELS[level])
            if op is None:
                return left
            left = ("bin", op, left, self.binary(level + 1))

    def unary(self) -> Any:
        if self.accept("-"):
            return ("neg", self.unary())
        left = self.path_expr()
        while self.accept("|"):
            left = ("union", left, self.path_expr())
        return left

    def path_expr(self) -> Any:
        tok = self.peek()
        if tok is None:
            self.fail("unexpected end")
        kind, value = tok
        nxt = self.peek(1)
        is_call = kind == "name" and nxt == ("op", "(") and value not in _NODE_TYPES
        if kind in ("literal", "number") or (kind == "op" and value in ("(", "$")) or is_call:
            primary = self.primary()
            preds = self.predicates()
            steps: list[Any] = []
            if self.peek() in (("op", "/"), ("op", "//")):
                steps = self.relative(self.take()[1] == "//")
            return ("filter", primary, preds, steps) if preds or steps else primary
        if kind == "op" and value in ("/", "//"):
            self.take()
            if value == "/" and not self._step_start():
                return ("path", True, [])
            return ("path", True, self.relative(value == "//"))
        return ("path", False, self.relative(False))

    def _step_start(self) -> bool:
        tok = self.peek()
        return tok is not None and (tok[0] == "name" or tok[1] in (".", "..", "@"))

    def relative(self, descendant: bool) -> list[Any]:
        steps = []
        if descendant:
            steps.append(("step", "descendant-or-self", ("type", "node"), []))
        steps.append(self.step())
        while self.peek() in (("op", "/"), ("op", "//")):
            if self.take()[1] == "//":
                steps.append(("step", "descendant-or-self", ("type", "node"), []))
            steps.append(self.step())
        return steps

    def step(self) -> Any:
        if self.accept("."):
            return ("step", "self", ("type", "node"), [])
        if self.accept(".."):
            return ("step", "parent", ("type", "node"), [])
        axis = "child"
        if self.accept("@"):
            axis = "attribute"
        else:
            tok, nxt = self.peek(), self.peek(1)
            if tok and tok[0] == "name" and nxt == ("op", "::"):
                if tok[1] not in _AXES:
                    self.fail(f"unknown axis {tok[1]!r}")
                axis = tok[1]
                self.i += 2
        tok = self.take()
        if tok[0] != "name":
            self.fail("expected a name test")
        if tok[1] in _NODE_TYPES and self.peek() == ("op", "("):
            self.take()
            if tok[1] == "processing-instruction" and self.peek() and self.peek()[0] == "literal":
                self.take()
            self.expect(")")
            test: Any = ("type", tok[1])
        else:
            test = ("name", tok[1])
        return ("step", axis, test, self.predicates())

    def predicates(self) -> list[Any]:
        preds = []
        while self.accept("["):
            preds.append(self.expr())
            self.expect("]")
        return preds

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "literal":
            return ("literal", value[1:-1])
        if kind == "number":
            return ("number", value)
        if value == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if value == "$":
            name = self.take()
            raise SchemaPathError(f"invalid XPath {self.text!r}: variables (${name[1]}) are "
                                  "not available in case XPaths")
        # a function call
        if value not in _FUNCTIONS:
            raise SchemaPathError(f"invalid XPath {self.text!r}: unknown function {value}() "
                                  f"(XPath 1.0 functions only)")
        self.expect("(")
        args = []
        if not self.accept(")"):
            args.append(self.expr())
            while self.accept(","):
                args.append(self.expr())
            self.expect(")")
        return ("call", value, args)


# -- evaluation over the schema ------------------------------------------------------------------
class _Evaluator:
    def __init__(self, m: Model, api: str, side: str, xpath: str, root: Node,
                 doc_root: Node) -> None:
        self.m, self.api, self.side, self.xpath = m, api, side, xpath
        self.root, self.doc_root = root, doc_root
        self.uses: list[Use] = []
        self._below: list[Node] = []  # the context a `//` searched from

    def fail(self, why: str) -> None:
        raise SchemaPathError(f"XPath {self.xpath!r} for {self.api} ({self.side}): {why}")

    def eval(self, expr: Any, ctx: list[Node]) -> list[Node] | None:
        """A node list, or None for a value that is not a node-set."""
        kind = expr[0]
        if kind == "path":
            start = [self.doc_root] if expr[1] else ctx
            return self.steps(expr[2], start)
        if kind == "filter":
            value = self.eval(expr[1], ctx)
            for pred in expr[2]:
                self.eval(pred, value or [])
            if expr[3]:
                if value is None:
                    self.fail("a path step after a value that is not a node-set")
                return self.steps(expr[3], value)
            return value
        if kind == "union":
            left, right = self.eval(expr[1], ctx), self.eval(expr[2], ctx)
            return (left or []) + (right or [])
        if kind == "bin":
            self.eval(expr[2], ctx)
            self.eval(expr[3], ctx)
            return None
        if kind == "neg":
            self.eval(expr[1], ctx)
            return None
        if kind == "call":
            for arg in expr[2]:
                self.eval(arg, ctx)
            return [ANY] if expr[1] == "id" else None
        return None  # literal, number

    def steps(self, steps: list[Any], ctx: list[Node]) -> list[Node]:
        loose = False
        for step in steps:
            if not loose:
                self._below = ctx
            ctx = self.step(step, ctx, loose)
            # the step after `//` finds its element anywhere below: not at a pinned place
            loose = step[1] == "descendant-or-self" and step[2] == ("type", "node") \
                and not step[3]
        return ctx

    def step(self, step: Any, ctx: list[Node], loose: bool = False) -> list[Node]:
        _, axis, test, preds = step
        candidates, pinned = self.axis(axis, ctx)
        pinned = pinned and not loose
        names = _local_name_filter(preds) if test in (("name", "*"), ("type", "node")) else None
        if loose:  # name the context `//` searched below, not every descendant
            ctx, axis = self._below, "descendant"
        found = self.test(test, candidates, ctx, axis, names, pinned)
        for pred in preds:
            self.eval(pred, found)
        return found

    def axis(self, axis: str, ctx: list[Node]) -> tuple[list[Node], bool]:
        out: list[Node] = []
        if axis == "child":
            for node in ctx:
                out += self.children(node)
            return out, True
        if axis in ("descendant", "descendant-or-self"):
            for node in ctx:
                if axis == "descendant-or-self":
                    out.append(node)
                out += self.descendants(node)
            return out, False
        if axis == "self":
            return list(ctx), True
        if axis == "parent":
            return [n.parent if n.parent is not None else ANY for n in ctx
                    if n.kind != "text"], True
        if axis in ("ancestor", "ancestor-or-self"):
            for node in ctx:
                cur = node if axis == "ancestor-or-self" else node.parent
                while cur is not None:
                    out.append(cur)
                    cur = cur.parent
                out.append(ANY)
            return out, False
        if axis in ("following-sibling", "preceding-sibling"):
            for node in ctx:
                out += self.children(node.parent) if node.parent is not None else [ANY]
            return out, True
        if axis == "attribute":
            return [TEXT for _ in ctx], True
        return [ANY for _ in ctx], False  # following, preceding, namespace

    def children(self, node: Node) -> list[Node]:
        if node is ANY:
            return [ANY]
        if node.decl is None:
            if node.kind == "root":
                return [Node(self.m.message_decl(), node)]
            return []
        if node.decl.name == "bodyContent" and node.decl.ns == NS["serv"] \
                and node is not self.root and node.parent is not None:
            # a bodyContent reached from the message (../../serv:body/serv:bodyContent)
            return [ANY]
        kids, open_ = self.m.children(node.decl)
        out = [Node(d, node) for d in kids]
        if open_:
            out.append(ANY)
        out.append(TEXT)
        return out

    def descendants(self, node: Node) -> list[Node]:
        out: list[Node] = []
        seen: set[tuple[Any, ...]] = set()
        queue = [node]
        while queue:
            cur = queue.pop(0)
            for child in self.children(cur):
                if child is ANY or child is TEXT:
                    out.append(child)
                    continue
                key = (child.decl.ns, child.decl.name, child.decl.type_key)
                if key in seen:
                    continue
                seen.add(key)
                out.append(child)
                queue.append(child)
        return out

    def test(self, test: Any, candidates: list[Node], ctx: list[Node], axis: str,
             names: set[str] | None, pinned: bool) -> list[Node]:
        kind, value = test
        open_ = any(c is ANY for c in candidates)
        elements = [c for c in candidates if c.decl is not None]
        if kind == "type":
            if value == "node":
                found = candidates if names is None else \
                    [c for c in elements if c.decl.name in names]
            elif value == "text":
                return [TEXT] if candidates else []
            else:
                return []
        elif value == "*":
            found = elements if names is None else [c for c in elements if c.decl.name in names]
        else:
            prefix, _, local = value.rpartition(":")
            if local == "*":
                uri = self.uri(value[:-2])
                found = [c for c in elements if c.decl.ns == uri]
            else:
                uri = self.uri(prefix) if prefix else None
                if uri is None and self.side == "request":  # unqualified on the wire
                    found = [c for c in elements if c.decl.name == local]
                else:
                    found = [c for c in elements if c.decl.name == local and c.decl.ns == uri]
                if not found and elements and not open_:
                    self.unknown(value, local, uri, ctx, elements, axis)
                for c in found:
                    self.uses.append(Use(c.decl, pinned, self.xpath))
                return _dedupe(found + ([ANY] if open_ else []))
        if names is not None and not found and elements and not open_:
            wanted = " or ".join(sorted(names))
            self.unknown(wanted, wanted, None, ctx, elements, axis)
        for c in found:
            if names is not None and c.decl is not None:
                self.uses.append(Use(c.decl, pinned, self.xpath))
        return _dedupe(found + ([ANY] if open_ and kind != "type" else []))

    def uri(self, prefix: str) -> str:
        if prefix not in NS:
            self.fail(f"unknown namespace prefix '{prefix}' (known: {', '.join(NS)})")
        return NS[prefix]

    def unknown(self, shown: str, local: str, uri: str | None, ctx: list[Node],
                elements: list[Node], axis: str) -> None:
        parents = sorted({n.label() for n in ctx if n.decl is not None}) or ["the root"]
        where = "below" if axis.startswith("descendant") else "under"
        elsewhere = sorted({f"{_pfx(c.decl.ns)}{c.decl.name}" for c in elements
                            if c.decl.name == local})
        hint = ""
        if uri is None and ":" not in shown and self.side == "response" and \
                " or " not in shown:
            hint = ("; response elements are namespace-qualified: write "
                    f"{' or '.join(elsewhere) or 'prefix:name'}")
        elif elsewhere:
            hint = f"; the schema has {', '.join(elsewhere)} there (namespace!)"
        else:
            known = sorted({f"{_pfx(c.decl.ns)}{c.decl.name}" for c in elements})
            if axis == "child" and len(known) <= 40:
                hint = f"; allowed there: {', '.join(known)}"
        self.fail(f"the schema has no element {shown} {where} {', '.join(parents[:3])}{hint}")


def _dedupe(nodes: Iterable[Node]) -> list[Node]:
    out, seen = [], set()
    for n in nodes:
        key = (id(n.decl), id(n.parent)) if n.decl is not None else (n.kind,)
        if key not in seen:
            seen.add(key)
            out.append(n)
    return out


def _local_name_filter(preds: list[Any]) -> set[str] | None:
    """``[local-name()='a' or local-name()='b']`` as the first predicate -> {'a', 'b'}."""
    if not preds:
        return None

    def names(expr: Any) -> set[str] | None:
        if expr[0] == "bin" and expr[1] == "or":
            left, right = names(expr[2]), names(expr[3])
            return None if left is None or right is None else left | right
        if expr[0] == "bin" and expr[1] == "=":
            a, b = expr[2], expr[3]
            if b[0] == "call" and b[1] == "local-name" and not b[2]:
                a, b = b, a
            if a[0] == "call" and a[1] == "local-name" and not a[2] and b[0] == "literal":
                return {b[1]}
        return None
    return names(preds[0])


# -- entry points -------------------------------------------------------------------------------
def _roots(m: Model, api: str, side: str) -> tuple[Node, Node]:
    spec = APIS.get(api)
    if spec is None:
        raise SchemaPathError(f"unknown API '{api}'")
    if side not in ("request", "response"):
        raise ValueError("side must be 'request' or 'response'")
    ctype = m.api_type(spec, side)
    if ctype is None:
        raise SchemaPathError(f"the schema has no {side} type for {api}")
    doc_root = Node(None, None, "root")
    message = Node(m.message_decl(), doc_root)
    kids, _ = m.children(message.decl)
    body_decl = next(d for d in kids if d.name == "body")
    body = Node(body_decl, message)
    content_decl = next(d for d in m.children(body_decl)[0] if d.name == "bodyContent")
    content = Node(dataclasses.replace(content_decl, type_key=ctype.key,
                                       owner=f"{api} {side}"), body)
    return content, doc_root


_COMPILED: dict[str, str | None] = {}


def _lxml_check(xpath: str) -> None:
    if xpath not in _COMPILED:
        try:
            etree.XPath(xpath, namespaces=NS)
            _COMPILED[xpath] = None
        except etree.XPathSyntaxError as exc:
            _COMPILED[xpath] = str(exc)
    if _COMPILED[xpath]:
        raise SchemaPathError(f"invalid XPath {xpath!r}: {_COMPILED[xpath]}")


def resolve_path(api: str, xpath: str, *, side: str = "response") -> list[Use]:
    """Check ``xpath`` (relative to ``api``'s bodyContent) against the schema; the elements
    it names. Raises :class:`SchemaPathError`."""
    if not isinstance(xpath, str) or not xpath.strip():
        raise SchemaPathError(f"an empty XPath for {api}")
    _lxml_check(xpath)
    m = model()
    root, doc_root = _roots(m, api, side)
    tree = _Parser(xpath).parse()
    ev = _Evaluator(m, api, side, xpath, root, doc_root)
    ev.eval(tree, [root])
    return ev.uses


def resolve_body(api: str, body: Any) -> list[Use]:
    """Check a request body (the mapping of a case step: element name -> value, a list for
    a repeated element) against ``api``'s request type. Keys still holding a template are
    not checked. Raises :class:`SchemaPathError` naming the element's path."""
    m = model()
    root, _ = _roots(m, api, "request")
    uses: list[Use] = []

    def walk(node: Node, value: Any, path: str) -> None:
        if isinstance(value, list):
            for item in value:
                walk(node, item, path)
            return
        if not isinstance(value, dict):
            return
        if node.decl is not None and node.decl.type_key is None and node is not root:
            raise SchemaPathError(f"request element {path} of {api} has a simple type: it "
                                  "takes a value, not child elements")
        kids, open_ = m.children(node.decl)
        for key, sub in value.items():
            key = str(key)
            here = f"{path}/{key}" if path else key
            if "${" in key or sub is None:
                continue
            decl = next((d for d in kids if d.name == key), None)
            if decl is None:
                if open_:
                    continue
                allowed = ", ".join(sorted({d.name for d in kids})) or "none"
                raise SchemaPathError(f"the schema has no request element {here} for {api} "
                                      f"(allowed there: {allowed})")
            uses.append(Use(decl, True, here))
            walk(Node(decl, node), sub, here)

    walk(root, body, "")
    return uses
