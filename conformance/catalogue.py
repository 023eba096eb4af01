"""The requirements catalogue (``conformance/data/requirements.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    since: str
    releases: str
    source: dict[str, str]
    apis: tuple[str, ...]
    behaviour: str
    notes: str = ""
    # listed APIs no case covers (the mock does not implement them): reported, not hidden
    apis_not_covered: tuple[str, ...] = ()
    # "behaviour": one documented behaviour, checked by case files; "suite": checked by the
    # suite on every answer, one run-level result (e.g. schema: conformance.schema_findings)
    level: str = "behaviour"
    extra: dict[str, object] = field(default_factory=dict)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Requirement]:
    text = resources.files("conformance.data").joinpath("requirements.yaml").read_text("utf-8")
    out = {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for item in yaml.load(text, Loader=loader)["requirements"]:  # noqa: S506 - a SafeLoader
        out[item["id"]] = Requirement(item["id"], item["title"], str(item["since"]),
                                      str(item.get("releases", item["since"])),
                                      dict(item.get("source", {})), tuple(item.get("apis", [])),
                                      item.get("behaviour", ""), item.get("notes", ""),
                                      apis_not_covered=tuple(item.get("apis_not_covered", [])),
                                      level=str(item.get("level", "behaviour")))
    return out
