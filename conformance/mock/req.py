"""Reading request bodies by local name (clients may or may not qualify elements)."""

from __future__ import annotations

from lxml import etree

from .wire import MALFORMED, ApiError


def _local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


class Req:
    """A view on a request element, looked up by ``/``-separated local names."""

    def __init__(self, el: etree._Element | None) -> None:
        self.el = el

    def __bool__(self) -> bool:
        return self.el is not None

    def _children(self, el: etree._Element, name: str) -> list[etree._Element]:
        name = name.lower()
        return [c for c in el if isinstance(c.tag, str)
                and c.tag.rpartition("}")[2].lower() == name]

    def all(self, path: str) -> list[Req]:
        if self.el is None:
            return []
        nodes = [self.el]
        for part in path.split("/"):
            nodes = [c for n in nodes for c in self._children(n, part)]
        return [Req(n) for n in nodes]

    def get(self, path: str) -> Req:
        found = self.all(path)
        return found[0] if found else Req(None)

    def has(self, path: str) -> bool:
        return bool(self.all(path))

    def text(self, path: str | None = None, default: str | None = None) -> str | None:
        node = self if path is None else self.get(path)
        if node.el is None:
            return default
        return node.el.text if node.el.text is not None else ""

    def int(self, path: str, default: int | None = None) -> int | None:
        value = self.text(path)
        if value is None or value.strip() == "":
            return default
        try:
            return int(value.strip())
        except ValueError:
            raise ApiError(*MALFORMED) from None

    def bool(self, path: str, default: bool | None = None) -> bool | None:
        value = self.text(path)
        if value is None or value.strip() == "":
            return default
        return value.strip().lower() == "true"

    def names(self) -> list[str]:
        return [] if self.el is None else [_local(c) for c in self.el]
