"""Hypothesis strategies for the Webex XML API, in the style of hypothesis' own: small,
composable, keyword-only arguments checked up front (``InvalidArgument``), and the edge
cases tabulated with where they come from.

* values: :func:`whitespace_emails`, :func:`valid_emails`, :func:`person_names`,
  :func:`start_offsets`, :func:`registration_subsets`, :func:`field_values`,
  :func:`bodycontent_counts`, :func:`encodings`, :func:`serv_prefixes`,
  :func:`xsi_type_spellings`;
* envelopes: :func:`bodies` (schema-driven payload of one API) and :func:`envelopes`;
* mutations: :func:`mutated` (one change at a time) and :func:`garbage` (anything at all).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from lxml import etree

from ..apis import APIS
from ..envelope import Body, Credentials, build_message
from ..mock.state import REGISTRATION_FIELDS
from . import xsd

# -- edge tables (value, what it is, where it comes from) -----------------------------------
WHITESPACE: tuple[tuple[str, str, str], ...] = (
    (" ", "space", "behaviours.md email-whitespace: leading, trailing and inner spaces"),
    ("\t", "tab", "behaviours.md email-whitespace: tabs"),
    ("\n", "line feed", "behaviours.md email-whitespace: line breaks"),
    ("\r", "carriage return", "behaviours.md email-whitespace: line breaks (CR LF)"),
)
WHITESPACE_CHARS = tuple(w for w, _, _ in WHITESPACE)

# Where whitespace can sit in local@label.domain (the domain itself is never split: the
# "nothing changed" checks search for it).
POSITIONS: tuple[tuple[str, str], ...] = (
    ("leading", "before the address (release notes 40.8.0: 'leading')"),
    ("trailing", "after the address (release notes 40.8.0: 'trailing')"),
    ("local", "inside the local part"),
    ("before-at", "just before '@'"),
    ("after-at", "just after '@'"),
    ("label", "inside the first domain label"),
)
POSITION_NAMES = tuple(p for p, _ in POSITIONS)

NAME_EDGES: tuple[tuple[str, str, str], ...] = (
    ("李", "one CJK character", "display-name 40.11.0: Asian names have no space"),
    ("王小明", "Chinese given+family name", "display-name 40.11.0"),
    ("やまだ", "Hiragana", "display-name 40.11.0: Asian characters"),
    ("김민수", "Hangul", "display-name 40.11.0: Asian characters"),
    ("Müller", "Latin-1 letter", "ISO-8859-1 samples in the release notes"),
    ("O'Brien", "apostrophe", "common in real names"),
    ("Ana María", "inner space in a non-Asian name", "display-name 40.11.0"),
)
ASIAN_RANGES = ((0x4E00, 0x9FFF), (0x3040, 0x309F), (0x30A0, 0x30FF), (0xAC00, 0xD7A3))

ENCODINGS: tuple[tuple[str, str], ...] = (
    ("UTF-8", "the default; every 40.x sample"),
    ("ISO-8859-1", "behaviours.md wire facts: Cisco's own samples use both"),
)

# Prefixes of the serv namespace: the service binds by namespace URI, never by prefix
# (behaviours.md: "Clients should not depend on prefixes").
PREFIX_EDGES = ("serv", "s", "ns1", "ns0", "SERV", "soap", "x")

START_EDGES_MINUTES = (-7 * 24 * 60, -24 * 60, -60, 60, 24 * 60, 7 * 24 * 60)


def _check_type(name: str, value: Any, types: type | tuple[type, ...]) -> None:
    if not isinstance(value, types):
        raise InvalidArgument(f"{name}={value!r} must be of type "
                              f"{getattr(types, '__name__', types)}")


def _check_subset(name: str, values: Iterable[str], allowed: Sequence[str]) -> tuple[str, ...]:
    values = tuple(values)
    if not values:
        raise InvalidArgument(f"{name} must not be empty")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise InvalidArgument(f"{name} has unknown values {unknown!r}; allowed: "
                              f"{', '.join(map(repr, allowed))}")
    return values


def _check_range(name: str, low: int, high: int) -> None:
    _check_type(f"min_{name}", low, int)
    _check_type(f"max_{name}", high, int)
    if low < 1 or high < low:
        raise InvalidArgument(f"need 1 <= min_{name} <= max_{name}, got {low} and {high}")


# -- emails ---------------------------------------------------------------------------------
_LOCAL = "abcdefghijklmnopqrstuvwxyz0123456789"
_LOCAL_EXTRA = "._+-"


def _local_parts() -> st.SearchStrategy[str]:
    return st.builds(lambda first, rest: first + rest,
                     st.sampled_from(_LOCAL),
                     st.text(_LOCAL + _LOCAL_EXTRA, max_size=8)).filter(
        lambda s: not s.endswith(".") and ".." not in s)


def _labels() -> st.SearchStrategy[str]:
    return st.text(_LOCAL, min_size=1, max_size=6)


def valid_emails(*, domain: str = "example.com") -> st.SearchStrategy[str]:
    """``local@label.domain`` without any whitespace."""
    _check_type("domain", domain, str)
    if not domain or any(c.isspace() for c in domain):
        raise InvalidArgument(f"domain={domain!r} must be non-empty without whitespace")
    return st.builds(lambda local, label: f"{local}@{label}.{domain}", _local_parts(),
                     _labels())


@st.composite
def _whitespace_email(draw: st.DrawFn, domain: str, kinds: tuple[str, ...],
                      positions: tuple[str, ...], max_whitespace: int) -> str:
    local, label = draw(_local_parts()), draw(_labels())
    parts = {"leading": "", "local": "", "before-at": "", "after-at": "", "label": "",
             "trailing": ""}
    count = draw(st.integers(1, max_whitespace))
    cut_local = draw(st.integers(1, len(local))) if len(local) > 1 else 1
    cut_label = draw(st.integers(1, len(label))) if len(label) > 1 else 1
    for _ in range(count):
        position = draw(st.sampled_from(positions))
        parts[position] += draw(st.sampled_from(kinds))
    if len(local) == 1 and parts["local"]:
        parts["before-at"] = parts["local"] + parts["before-at"]
        parts["local"] = ""
    if len(label) == 1 and parts["label"]:
        parts["after-at"] += parts["label"]
        parts["label"] = ""
    return (parts["leading"] + local[:cut_local] + parts["local"] + local[cut_local:]
            + parts["before-at"] + "@" + parts["after-at"] + label[:cut_label]
            + parts["label"] + label[cut_label:] + "." + domain + parts["trailing"])


def whitespace_emails(*, domain: str = "example.com",
                      kinds: Iterable[str] = WHITESPACE_CHARS,
                      positions: Iterable[str] = POSITION_NAMES,
                      max_whitespace: int = 3) -> st.SearchStrategy[str]:
    """An otherwise valid email with 1..``max_whitespace`` whitespace characters of
    ``kinds`` (table :data:`WHITESPACE`) at ``positions`` (table :data:`POSITIONS`).
    Shrinks towards one space in the leading position."""
    _check_type("domain", domain, str)
    if not domain:
        raise InvalidArgument("domain must not be empty")
    kinds_t = tuple(kinds)
    if not kinds_t or any(not k or not k.isspace() for k in kinds_t):
        raise InvalidArgument(f"kinds={kinds_t!r} must be non-empty whitespace strings")
    positions_t = _check_subset("positions", positions, POSITION_NAMES)
    _check_range("whitespace", 1, max_whitespace)
    return _whitespace_email(domain, kinds_t, positions_t, max_whitespace)


def email_edges(*, domain: str = "example.com") -> list[tuple[str, str, str]]:
    """The tabulated edge cases: one minimal email per kind of whitespace, each at another
    position (leading, trailing, inside the local part, after '@'), with its source. The
    fuzz tests run them first as explicit examples."""
    kinds = {w: (what, source) for w, what, source in WHITESPACE}
    spots = [(" ", "leading", f" a@a.{domain}"), ("\t", "trailing", f"a@a.{domain}\t"),
             ("\n", "local", f"a\nb@a.{domain}"), ("\r", "after-at", f"a@\ra.{domain}")]
    return [(email, f"{kinds[w][0]}, {where}", kinds[w][1]) for w, where, email in spots]


def whitespace_in(email: str) -> list[tuple[int, str]]:
    """(index, character) of every whitespace character of ``email``."""
    return [(i, c) for i, c in enumerate(email) if c.isspace()]


# -- names and free text --------------------------------------------------------------------
def _asian_chars() -> st.SearchStrategy[str]:
    return st.one_of(*[st.characters(min_codepoint=lo, max_codepoint=hi)
                       for lo, hi in ASIAN_RANGES])


def person_names(*, script: str = "any", max_size: int = 12) -> st.SearchStrategy[str]:
    """Names in Asian scripts (CJK, kana, Hangul), Latin-1 letters, or either
    (``script`` = ``asian``, ``latin``, ``any``); edge cases from :data:`NAME_EDGES`."""
    if script not in ("any", "asian", "latin"):
        raise InvalidArgument(f"script={script!r} must be 'any', 'asian' or 'latin'")
    _check_range("size", 1, max_size)
    asian = st.text(_asian_chars(), min_size=1, max_size=max_size)
    latin = st.text(st.characters(min_codepoint=0x41, max_codepoint=0xFF,
                                  categories=("Lu", "Ll")), min_size=1, max_size=max_size)
    edges = [n for n, _, _ in NAME_EDGES
             if script == "any" or (script == "asian") == any(
                 lo <= ord(n[0]) <= hi for lo, hi in ASIAN_RANGES)]
    choices = {"asian": [asian], "latin": [latin], "any": [asian, latin]}[script]
    return st.one_of(st.sampled_from(edges), *choices)


def field_values(*, max_size: int = 20) -> st.SearchStrategy[str]:
    """Non-blank text for a free-text field (letters, digits, some punctuation, names)."""
    _check_range("size", 1, max_size)
    plain = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                    min_size=1, max_size=max_size).filter(lambda s: s.strip() != "")
    return st.one_of(plain, person_names(max_size=max_size)).map(
        lambda s: s.replace("${", "$ {"))


# -- times, forms, counts, encodings, prefixes, xsi:type -------------------------------------
def start_offsets(*, guard: timedelta = timedelta(minutes=10),
                  max_distance: timedelta = timedelta(days=30)) -> st.SearchStrategy[timedelta]:
    """A start time relative to "now": never within ``guard`` of it (clock skew), at most
    ``max_distance`` away; edge cases :data:`START_EDGES_MINUTES`."""
    _check_type("guard", guard, timedelta)
    _check_type("max_distance", max_distance, timedelta)
    if guard <= timedelta(0) or max_distance <= guard:
        raise InvalidArgument(f"need 0 < guard < max_distance, got {guard} and {max_distance}")
    low, high = int(guard.total_seconds() // 60) + 1, int(max_distance.total_seconds() // 60)
    edges = [m for m in START_EDGES_MINUTES if low <= abs(m) <= high]
    minutes = st.one_of(st.sampled_from(edges) if edges else st.nothing(),
                        st.integers(low, high), st.integers(-high, -low))
    return minutes.map(lambda m: timedelta(minutes=m))


def registration_subsets(*, fields: Iterable[str] = REGISTRATION_FIELDS,
                         min_size: int = 0) -> st.SearchStrategy[frozenset[str]]:
    """A subset of the registration-form fields (behaviours.md registration-form-040014)."""
    fields_t = _check_subset("fields", fields, REGISTRATION_FIELDS)
    _check_type("min_size", min_size, int)
    if not 0 <= min_size <= len(fields_t):
        raise InvalidArgument(f"min_size={min_size} must be within 0..{len(fields_t)}")
    return st.frozensets(st.sampled_from(fields_t), min_size=min_size)


def bodycontent_counts(*, min_count: int = 1, max_count: int = 3) -> st.SearchStrategy[int]:
    """How many ``bodyContent`` elements a message carries."""
    _check_range("count", min_count, max_count)
    return st.integers(min_count, max_count)


def encodings() -> st.SearchStrategy[str]:
    """A request encoding of table :data:`ENCODINGS`."""
    return st.sampled_from([e for e, _ in ENCODINGS])


def serv_prefixes() -> st.SearchStrategy[str]:
    """A namespace prefix for ``serv`` (table :data:`PREFIX_EDGES`, or any NCName)."""
    generated = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6).filter(
        lambda p: not p.startswith("xml") and p != "xsi")
    return st.one_of(st.sampled_from(PREFIX_EDGES), generated)


def xsi_type_spellings(api: str) -> st.SearchStrategy[str]:
    """The request ``xsi:type`` spellings the real service accepts for ``api``: the binding
    class, and for GetSite also ``...binding.user.GetSite`` (the 000053 sample, 40.4.4)."""
    if api not in APIS:
        raise InvalidArgument(f"unknown API {api!r}")
    spellings = [APIS[api].xsi_type]
    if api == "GetSite":
        spellings.append("java:com.webex.service.binding.user.GetSite")
    return st.sampled_from(spellings)


# -- envelopes ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Envelope:
    """A request to build: bodies, encoding and the prefix of the serv namespace."""

    bodies: tuple[Body, ...]
    encoding: str = "UTF-8"
    serv_prefix: str = "serv"

    def build(self, credentials: Credentials | None) -> bytes:
        return build_message(credentials, list(self.bodies), encoding=self.encoding,
                             serv_prefix=self.serv_prefix)

    @property
    def apis(self) -> list[str]:
        return [b.api for b in self.bodies]


def _field_strategy(field: xsd.Field) -> st.SearchStrategy[Any]:
    if field.kind == "int":
        return st.integers(0, 10**6)
    if field.kind == "boolean":
        return st.booleans()
    if field.kind == "enum":
        return st.sampled_from(field.values)
    if field.kind == "email":
        return valid_emails()
    return field_values()


# Values the schema cannot know: keys and list controls that make a call meaningful.
_STRUCTURED = {"listControl": st.fixed_dictionaries(
    {"startFrom": st.integers(1, 3), "maximumNum": st.integers(1, 50)})}


@st.composite
def _payload(draw: st.DrawFn, api: str, fields: tuple[xsd.Field, ...]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for field in fields:
        if field.required or draw(st.booleans()):
            payload[field.name] = draw(_field_strategy(field))
    if "listControl" in {f.name for f in fields} or api.startswith("Lst"):
        if draw(st.booleans()):
            payload["listControl"] = draw(_STRUCTURED["listControl"])
    return payload


def bodies(api: str, *, fixed: dict[str, Any] | None = None) -> st.SearchStrategy[Body]:
    """One ``bodyContent`` of ``api``: the simple children of its request type from the
    XSDs (required ones always, optional ones sometimes), ``fixed`` values on top, and one
    of the accepted ``xsi:type`` spellings."""
    if api not in APIS:
        raise InvalidArgument(f"unknown API {api!r}; known: {', '.join(sorted(APIS))}")
    if fixed is not None:
        _check_type("fixed", fixed, dict)
    fields = xsd.request_fields(api)
    return st.builds(lambda payload, spelling: Body(api, {**payload, **(fixed or {})},
                                                    xsi_type=spelling),
                     _payload(api, fields), xsi_type_spellings(api))


@cache
def _cached_bodies(api: str) -> st.SearchStrategy[Body]:
    return bodies(api)


def envelopes(*, apis: Sequence[str], min_bodies: int = 1,
              max_bodies: int = 3) -> st.SearchStrategy[Envelope]:
    """A message of 1..``max_bodies`` bodies of ``apis``, in any encoding of
    :data:`ENCODINGS` and any serv prefix."""
    apis_t = tuple(apis)
    if not apis_t:
        raise InvalidArgument("apis must not be empty")
    unknown = [a for a in apis_t if a not in APIS]
    if unknown:
        raise InvalidArgument(f"unknown APIs {unknown!r}")
    _check_range("bodies", min_bodies, max_bodies)
    one = st.one_of(*[_cached_bodies(a) for a in apis_t])
    return st.builds(lambda b, e, p: Envelope(tuple(b), e, p),
                     st.lists(one, min_size=min_bodies, max_size=max_bodies),
                     encodings(), serv_prefixes())


# -- mutations ------------------------------------------------------------------------------
MUTATIONS: tuple[tuple[str, str], ...] = (
    ("drop-element", "one element removed"),
    ("rename-element", "one element renamed"),
    ("text", "one element's text replaced by arbitrary text"),
    ("xsi-type", "a bodyContent xsi:type replaced"),
    ("duplicate-body", "a bodyContent repeated"),
    ("namespace", "the root element moved to another namespace"),
    ("truncate", "the serialised message cut short"),
    ("flip-byte", "one byte of the serialised message changed"),
    ("encoding-lie", "the XML declaration names another encoding than the bytes use"),
)
MUTATION_NAMES = tuple(m for m, _ in MUTATIONS)


def _xml_text() -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                   max_size=30)


@st.composite
def _mutate(draw: st.DrawFn, data: bytes, kinds: tuple[str, ...]) -> bytes:
    kind = draw(st.sampled_from(kinds))
    if kind == "truncate":
        return data[:draw(st.integers(0, max(0, len(data) - 1)))]
    if kind == "flip-byte":
        index = draw(st.integers(0, len(data) - 1))
        return data[:index] + bytes([draw(st.integers(0, 255))]) + data[index + 1:]
    if kind == "encoding-lie":
        return data.replace(b"encoding='UTF-8'", b"encoding='UTF-16'").replace(
            b"encoding='ISO-8859-1'", b"encoding='UTF-8'")
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    elements = list(root.iter())
    element = elements[draw(st.integers(0, len(elements) - 1))]
    if kind == "drop-element" and element is not root:
        element.getparent().remove(element)
    elif kind == "rename-element":
        element.tag = draw(st.sampled_from(["x", "bodyContent", "header", "webExID", "Body"]))
    elif kind == "text":
        element.text = draw(_xml_text())
    elif kind == "xsi-type":
        for content in root.iter("bodyContent"):
            content.set("{http://www.w3.org/2001/XMLSchema-instance}type",
                        draw(st.sampled_from(["", "java:com.webex.service.binding.x.Nope",
                                              "GetSite", "java:"]) | _xml_text()))
            break
    elif kind == "duplicate-body":
        for content in root.iter("bodyContent"):
            for _ in range(draw(st.integers(1, 12))):
                content.addnext(etree.fromstring(etree.tostring(content)))
            break
    elif kind == "namespace":
        root.tag = draw(st.sampled_from(["{urn:other}message", "message",
                                         "{http://www.webex.com/schemas/2002/06/service}body"]))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def mutated(data: bytes, *, kinds: Iterable[str] = MUTATION_NAMES) -> st.SearchStrategy[bytes]:
    """``data`` (a well-formed message) with exactly one change of table :data:`MUTATIONS`."""
    _check_type("data", data, bytes)
    if not data:
        raise InvalidArgument("data must be a non-empty message")
    return _mutate(data, _check_subset("kinds", kinds, MUTATION_NAMES))


def _nested(depth: int) -> bytes:
    return b"<serv:message xmlns:serv='http://www.webex.com/schemas/2002/06/service'>" + \
        b"<a>" * depth + b"</a>" * depth + b"</serv:message>"


GARBAGE_EDGES: tuple[tuple[bytes, str], ...] = (
    (b"", "empty body"),
    (b"not xml", "plain text"),
    (b"<", "a lone '<'"),
    (b"<?xml version='1.0'?>", "declaration only"),
    (b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>", "external entity"),
    (b"<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]><x>&b;</x>",
     "entity expansion"),
    (_nested(5000), "deeply nested (5000 levels)"),
    (b"<serv:message xmlns:serv='http://www.webex.com/schemas/2002/06/service'><body>"
     + b"<bodyContent/>" * 20000 + b"</body></serv:message>", "huge (20000 bodyContent)"),
    (b"\xff\xfe<\x00x\x00>\x00", "UTF-16 with BOM"),
    (b"<x>" + b"a" * (3 * 1024 * 1024) + b"</x>", "over 2 MiB"),
)


def garbage() -> st.SearchStrategy[bytes]:
    """Anything at all: the tabulated edge cases, random bytes and random text."""
    return st.one_of(st.sampled_from([g for g, _ in GARBAGE_EDGES]),
                     st.binary(max_size=300),
                     st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
                     st.integers(1, 200).map(_nested))
