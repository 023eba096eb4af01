"""Every answer's envelope against service.xsd (requirement ``envelope``).

Cisco's ``service.xsd`` (2002/06/service) defines the envelope of every answer:

* ``messageType``: ``header`` then ``body``; ``header`` is ``securityContext?`` then
  ``response*``; ``body`` is ``bodyContent+``;
* ``responseType``: the sequence ``result`` (SUCCESS | FAILURE), ``reason?``,
  ``gsbStatus?`` (PRIMARY | BACKUP), ``exceptionID?``, ``subErrors?``, ``value?``;
* ``subErrors`` is ``subError+``, each ``subErrorType``: ``exceptionID``, ``reason``,
  ``value?``.

Every element is qualified (``elementFormDefault="qualified"``), in the service namespace;
the types declare no attributes and no mixed content. :func:`check_envelope` is a pure
function over a parsed message and returns every difference (never the first only), as
:class:`~conformance.expect.Difference` items. What is inside ``bodyContent`` is the
service schemas' business, not this check's.

The tables below are written from service.xsd; tests/test_envelope_check.py compares them
with the XSD itself when it is at hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .expect import ABSENT, Difference
from .namespaces import NS
from .response import Message

REQUIREMENT = "envelope"
SERV = NS["serv"]
UNBOUNDED = -1
XSD = "service.xsd"


@dataclass(frozen=True)
class Particle:
    """One element of an ``xsd:sequence``: its local name and occurrences; ``values``: the
    enumeration of a simple type; ``content``: the sequence of a complex type."""

    name: str
    min: int = 1
    max: int = 1
    values: tuple[str, ...] = ()
    content: tuple[Particle, ...] | None = None
    any_content: bool = False  # bodyContent / securityContext: another schema's business
    type_name: str = ""  # the XSD type of ``content``, for messages


SUB_ERROR = (Particle("exceptionID"), Particle("reason"), Particle("value", 0))
RESPONSE = (
    Particle("result", values=("SUCCESS", "FAILURE")),
    Particle("reason", 0),
    Particle("gsbStatus", 0, values=("PRIMARY", "BACKUP")),
    Particle("exceptionID", 0),
    Particle("subErrors", 0, content=(Particle("subError", 1, UNBOUNDED, content=SUB_ERROR,
                                               type_name="subErrorType"),),
             type_name="responseType/subErrors"),
    Particle("value", 0),
)
HEADER = (Particle("securityContext", 0, any_content=True),
          Particle("response", 0, UNBOUNDED, content=RESPONSE, type_name="responseType"))
BODY = (Particle("bodyContent", 1, UNBOUNDED, any_content=True),)
MESSAGE = (Particle("header", content=HEADER, type_name="messageType/header"),
           Particle("body", content=BODY, type_name="messageType/body"))

# Attributes any element may carry without its type declaring them.
_FREE_ATTRIBUTE_NAMESPACES = {NS["xsi"], "http://www.w3.org/XML/1998/namespace"}


def _order(sequence: tuple[Particle, ...]) -> str:
    return ", ".join(p.name for p in sequence)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _shown(el: etree._Element) -> str:
    qname = etree.QName(el)
    if qname.namespace == SERV:
        return f"serv:{qname.localname}"
    return f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else \
        f"{qname.localname} (no namespace)"


def _children(el: etree._Element) -> list[etree._Element]:
    # comments and processing instructions are not content of the schema's types
    return [c for c in el if isinstance(c.tag, str)]


def _check_text(el: etree._Element, where: str, diffs: list[Difference]) -> None:
    """Element-only content: no text between the children."""
    texts = [el.text] + [c.tail for c in el]
    stray = next((t.strip() for t in texts if t and t.strip()), None)
    if stray:
        diffs.append(Difference(where, "element-only content (" + XSD + ")",
                                f"text {stray[:40]!r}"))


def _check_attributes(el: etree._Element, where: str, diffs: list[Difference],
                      allowed: frozenset[str] = frozenset()) -> None:
    for name in el.attrib:
        qname = etree.QName(name)
        if qname.namespace in _FREE_ATTRIBUTE_NAMESPACES or name in allowed:
            continue
        diffs.append(Difference(f"{where}/@{qname.localname}", "no such attribute (" + XSD +
                                " declares none)", repr(el.get(name))))


def _check_simple(el: etree._Element, particle: Particle, where: str,
                  diffs: list[Difference]) -> None:
    if _children(el):
        diffs.append(Difference(where, "text only (xsd:string)",
                                f"child element {_shown(_children(el)[0])}"))
    _check_attributes(el, where, diffs)
    if particle.values:
        text = (el.text or "").strip()
        if text not in particle.values:
            diffs.append(Difference(where, " or ".join(particle.values), repr(text)))


def _check_sequence(el: etree._Element, sequence: tuple[Particle, ...], where: str,
                    diffs: list[Difference], type_name: str) -> None:
    """The children of ``el`` against an ``xsd:sequence``: names, namespace, order and
    occurrences, every departure reported."""
    _check_text(el, where, diffs)
    names = [p.name for p in sequence]
    counts = dict.fromkeys(names, 0)
    position = 0  # index in ``sequence`` of the latest element in order
    seen_last: str | None = None
    for child in _children(el):
        local = _local(child)
        index_of = names.index(local) if local in names else None
        occurrence = counts.get(local, 0) + 1
        child_where = f"{where}/serv:{local}" + (f"[{occurrence}]" if index_of is not None and
                                                 sequence[index_of].max != 1 else "")
        if index_of is None:
            diffs.append(Difference(f"{where}/{_shown(child)}", f"only {_order(sequence)} "
                                    f"({XSD} {type_name})", "an element the type does not "
                                    "have"))
            continue
        particle = sequence[index_of]
        if etree.QName(child).namespace != SERV:
            diffs.append(Difference(child_where, f"serv:{local} in the namespace {SERV} "
                                    f"({XSD}: elementFormDefault qualified)", _shown(child)))
        if index_of < position:
            diffs.append(Difference(child_where, f"after serv:{seen_last} (the order of "
                                    f"{XSD} {type_name}: {_order(sequence)})",
                                    "before it"))
        else:
            position, seen_last = index_of, local
        counts[local] = occurrence
        if particle.max != UNBOUNDED and occurrence == particle.max + 1:
            diffs.append(Difference(child_where, f"at most {particle.max} serv:{local}",
                                    f"{occurrence} or more"))
        if particle.any_content:
            continue
        if particle.content is not None:
            _check_attributes(child, child_where, diffs)
            _check_sequence(child, particle.content, child_where, diffs, particle.type_name)
        else:
            _check_simple(child, particle, child_where, diffs)
    for particle in sequence:
        if counts[particle.name] < particle.min:
            diffs.append(Difference(f"{where}/serv:{particle.name}",
                                    f"present ({XSD} {type_name}: minOccurs "
                                    f"{particle.min})", ABSENT))


def check_envelope(message: Message | etree._Element) -> list[Difference]:
    """Every difference of an answer's envelope from service.xsd: the message's header and
    body, and each ``serv:response`` (its elements, their order and values, subErrors)."""
    root = message.root if isinstance(message, Message) else message
    diffs: list[Difference] = []
    if not isinstance(root.tag, str) or etree.QName(root).namespace != SERV or \
            _local(root) != "message":
        return [Difference("/", "serv:message (" + XSD + ")", _shown(root)
                           if isinstance(root.tag, str) else repr(root))]
    _check_attributes(root, "serv:message", diffs)
    _check_sequence(root, MESSAGE, "serv:message", diffs, "messageType")
    return diffs


def check_response_header(response: etree._Element, where: str = "serv:response"
                          ) -> list[Difference]:
    """One ``serv:response`` element against ``responseType`` (e.g. for a Response's
    ``header``)."""
    diffs: list[Difference] = []
    _check_attributes(response, where, diffs)
    _check_sequence(response, RESPONSE, where, diffs, "responseType")
    return diffs


__all__ = ["BODY", "HEADER", "MESSAGE", "REQUIREMENT", "RESPONSE", "SUB_ERROR", "Particle",
           "check_envelope", "check_response_header"]
