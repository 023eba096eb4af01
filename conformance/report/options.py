"""The reports-and-gating options, read once at configure time (a bad waiver file or
baseline is a usage error, before anything runs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import CaseDefinitionError
from .baseline import load_baseline
from .waivers import Waiver, load_waivers

TRUE = {"1", "true", "yes", "on"}


@dataclass
class GatingOptions:
    waivers_path: str | None = None
    waivers: list[Waiver] = field(default_factory=list)
    baseline_path: str | None = None
    baseline: dict[str, Any] | None = None
    strict_waivers: bool = False
    schema_gating: bool = False     # conformance.schema_findings: schema validity gates

    def summary(self) -> dict[str, Any]:
        """For run.options in the record (paths only, no content)."""
        return {"waivers_file": self.waivers_path, "waivers": len(self.waivers),
                "baseline": self.baseline_path, "strict_waivers": self.strict_waivers,
                "schema_gating": self.schema_gating}


def flag(value: Any, name: str) -> bool:
    if value in (None, "", False):
        return False
    if value is True or str(value).strip().lower() in TRUE:
        return True
    if str(value).strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise CaseDefinitionError(f"--conformance-{name} is a flag (true/false), not {value!r}",
                              field=name)


def read_gating_options(values: dict[str, Any]) -> GatingOptions:
    """From the plugin's option values (``waivers``, ``baseline``, ``strict-waivers``,
    ``schema-gating``)."""
    opts = GatingOptions(strict_waivers=flag(values.get("strict-waivers"), "strict-waivers"),
                         schema_gating=flag(values.get("schema-gating"), "schema-gating"))
    if values.get("waivers"):
        opts.waivers_path = str(values["waivers"])
        opts.waivers = load_waivers(opts.waivers_path)
    if values.get("baseline"):
        opts.baseline_path = str(values["baseline"])
        opts.baseline = load_baseline(opts.baseline_path)
    return opts
