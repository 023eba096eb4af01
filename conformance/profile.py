"""The site profile: what a site's administrator states about the site that the XML API
does not report (site settings, which meeting type is E2EE-only, the site's templates).

A YAML file, set with ``--conformance-site-profile=FILE``, ``WEBEX_SITE_PROFILE`` or the ini
key ``conformance_site_profile`` (:func:`resolve_sources`), loaded and validated before
anything runs (:func:`load_profile`): an unknown key, a wrong type or a ``site_name`` other
than the configured one is a :class:`~conformance.errors.CaseDefinitionError` naming the
file, the line and the field. The keys are those of the capability registry
(``conformance.capabilities``: every entry with a ``profile_key``), plus ``site_name``.
A key left out, or ``null``, states nothing: discovery or the control interface decide.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .capabilities import (
    FLAG,
    MEETING_TYPE,
    NAME,
    SERVICE_TYPES,
    TEMPLATES,
    Capability,
    MeetingTemplate,
    profile_keys,
)
from .cases import LineDict, LineList, load_yaml
from .errors import CaseDefinitionError

ENV = "WEBEX_SITE_PROFILE"
OPTION = "--conformance-site-profile"
INI = "conformance_site_profile"
SITE_NAME = "site_name"
TEMPLATE_KEYS = ("name", "service_type")


@dataclass(frozen=True)
class SiteProfile:
    """A validated site profile. ``values``: profile key (``settings.display_name_enabled``)
    -> the stated value (a key left out or null is not there); ``lines``: key -> line."""

    path: str
    site_name: str | None = None
    values: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def stated(self, key: str) -> Any:
        """The value the profile states for ``key``, or None."""
        return self.values.get(key)

    def where(self, key: str) -> str:
        """``file:line key``, for a finding that names the profile's line."""
        line = self.lines.get(key)
        return f"{self.path}:{line} {key}" if line else f"{self.path} {key}"

    @property
    def settings(self) -> dict[str, bool]:
        return {k.partition(".")[2]: v for k, v in self.values.items()
                if k.startswith("settings.")}

    @property
    def meeting_templates(self) -> tuple[MeetingTemplate, ...] | None:
        return self.values.get("meeting_templates")


@dataclass(frozen=True)
class ProfileSource:
    """Where the profile's path came from (for messages): an option, the environment or
    the ini file."""

    path: str
    origin: str


def resolve_sources(path_option: str | None, env: Mapping[str, str] | None,
                    ini: str | None, *, rootdir: str | Path | None = None
                    ) -> ProfileSource | None:
    """The profile to load: ``--conformance-site-profile`` over ``WEBEX_SITE_PROFILE`` over
    the ini key ``conformance_site_profile``; None when none is set. A relative ini path is
    relative to ``rootdir`` (the ini file's directory); the others to the working directory.
    A value set but empty (a CI secret that expanded to "") is a usage error."""
    env = os.environ if env is None else env
    for value, origin in ((path_option, OPTION), (env.get(ENV), ENV), (ini, f"ini {INI}")):
        if value is None:
            continue
        if not str(value).strip():
            raise CaseDefinitionError(f"{origin} is set but empty: give the site profile's "
                                      f"path, or leave it unset", field=origin.split()[-1])
        path = Path(str(value).strip()).expanduser()
        if origin.startswith("ini") and rootdir is not None and not path.is_absolute():
            path = Path(rootdir) / path
        return ProfileSource(str(path), origin)
    return None


# -- validation ------------------------------------------------------------------------------
def _schema() -> dict[str, dict[str, Capability] | Capability | None]:
    """Top-level key -> a section (key -> entry), an entry, or None (site_name)."""
    out: dict[str, Any] = {SITE_NAME: None}
    for key, entry in profile_keys().items():
        section, dot, leaf = key.partition(".")
        if dot:
            out.setdefault(section, {})[leaf] = entry
        else:
            out[key] = entry
    return out


def _line(node: Any, key: Any, default: int | None) -> int | None:
    if isinstance(node, LineDict):
        return node.lines.get(key, default)
    if isinstance(node, LineList) and isinstance(key, int) and key < len(node.lines):
        return node.lines[key]
    return default


def _unknown(key: Any, allowed: list[str], path: str, line: int | None, where: str) -> None:
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise CaseDefinitionError(f"unknown key '{key}'{hint}; allowed: {', '.join(allowed)}",
                              path=path, line=line, field=where)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _value(entry: Capability, value: Any, path: str, line: int | None,
           where: str) -> Any:
    def bad(what: str) -> CaseDefinitionError:
        return CaseDefinitionError(f"must be {what}, not {_type_name(value)} ({value!r})",
                                   path=path, line=line, field=where)

    if entry.kind == FLAG:
        if not isinstance(value, bool):
            raise bad("true or false (or null: not stated)")
        return value
    if entry.kind == MEETING_TYPE:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise bad("a meeting type ID, a whole number such as 169 (or null)")
        return value
    if entry.kind == NAME:
        if not isinstance(value, str) or not value.strip():
            raise bad("a name, a non-empty string (or null)")
        return value.strip()
    if entry.kind == TEMPLATES:
        if not isinstance(value, list):
            raise bad("a list of {name: ..., service_type: ...} (or [] for none)")
        return tuple(_template(item, value, i, path, line, f"{where}[{i}]")
                     for i, item in enumerate(value))
    raise AssertionError(f"no profile validation for kind {entry.kind}")  # pragma: no cover


def _template(item: Any, parent: Any, index: int, path: str, default: int | None,
              where: str) -> MeetingTemplate:
    line = _line(parent, index, default)
    if not isinstance(item, dict):
        raise CaseDefinitionError(f"a template is a mapping {{name: ..., service_type: "
                                  f"...}}, not {_type_name(item)}", path=path, line=line,
                                  field=where)
    for key in item:
        if key not in TEMPLATE_KEYS:
            _unknown(key, list(TEMPLATE_KEYS), path, _line(item, key, line), f"{where}.{key}")
    for key in TEMPLATE_KEYS:
        if key not in item:
            raise CaseDefinitionError(f"a template needs '{key}'", path=path, line=line,
                                      field=where)
    name, service = item["name"], item["service_type"]
    if not isinstance(name, str) or not name.strip():
        raise CaseDefinitionError(f"must be the template's name, a non-empty string, not "
                                  f"{_type_name(name)}", path=path,
                                  line=_line(item, "name", line), field=f"{where}.name")
    if service not in SERVICE_TYPES:
        raise CaseDefinitionError(f"must be one of {', '.join(SERVICE_TYPES)} (as GetSite "
                                  f"writes it), not {service!r}", path=path,
                                  line=_line(item, "service_type", line),
                                  field=f"{where}.service_type")
    return MeetingTemplate(name.strip(), service)


def parse_profile(doc: Any, path: str, *, site_name: str | None = None) -> SiteProfile:
    """Validate a loaded YAML document (from :func:`conformance.cases.load_yaml`)."""
    if doc is None:
        doc = LineDict()
    if not isinstance(doc, dict):
        raise CaseDefinitionError(f"a site profile is a mapping of keys (site_name, "
                                  f"settings, ...), not {_type_name(doc)}", path=path,
                                  line=getattr(doc, "line", 1) or 1)
    schema = _schema()
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    stated_site: str | None = None
    for key, raw in doc.items():
        line = _line(doc, key, None)
        if key not in schema:
            _unknown(key, list(schema), path, line, str(key))
        spec = schema[key]
        if key == SITE_NAME:
            if raw is None:
                continue
            if not isinstance(raw, str) or not raw.strip():
                raise CaseDefinitionError(f"must be the site name, a string, not "
                                          f"{_type_name(raw)}", path=path, line=line,
                                          field=key)
            stated_site = raw.strip()
            continue
        if isinstance(spec, dict):
            if raw is None:
                continue
            if not isinstance(raw, dict):
                raise CaseDefinitionError(f"must be a mapping of {', '.join(spec)}, not "
                                          f"{_type_name(raw)}", path=path, line=line,
                                          field=key)
            for leaf, value in raw.items():
                leaf_line = _line(raw, leaf, line)
                dotted = f"{key}.{leaf}"
                if leaf not in spec:
                    _unknown(leaf, list(spec), path, leaf_line, dotted)
                if value is not None:
                    values[dotted] = _value(spec[leaf], value, path, leaf_line, dotted)
                    lines[dotted] = leaf_line or 0
            continue
        assert isinstance(spec, Capability)
        if raw is not None:
            values[key] = _value(spec, raw, path, line, key)
            lines[key] = line or 0
    if stated_site is not None and site_name is not None and \
            stated_site.casefold() != site_name.strip().casefold():
        raise CaseDefinitionError(
            f"the profile is for site '{stated_site}', but the run's site is '{site_name}' "
            f"(WEBEX_SITE_NAME / --conformance-site-name): a profile of another site would "
            f"make the suite expect that site's settings", path=path,
            line=_line(doc, SITE_NAME, None), field=SITE_NAME)
    return SiteProfile(path=path, site_name=stated_site, values=MappingProxyType(values),
                       lines=MappingProxyType(lines))


def mock_settings(profile: SiteProfile) -> dict[str, Any]:
    """The mock settings that make the mock the site a profile describes (so that the
    standalone mock can be started from a profile, and a profile always matches it):
    each stated setting through its registry entry's mock setting. ``meeting_types.private``
    names one of the mock's fixed types and sets nothing; ``meeting_types.e2ee_only`` marks
    that type E2EE; ``edu_template`` is an EDU template of each service."""
    out: dict[str, Any] = {}
    keys = profile_keys()
    for key, value in profile.values.items():
        entry = keys[key]
        if entry.kind == FLAG:
            out[entry.control_settings[0]] = value
        elif entry.kind == TEMPLATES:
            out[entry.control_settings[0]] = [[t.name, t.service_type] for t in value]
        elif key == "meeting_types.e2ee_only":
            out[entry.control_settings[0]] = [value]
        elif entry.kind == NAME and entry.control_settings:
            # one EDU template name, for the three services (edu-session-templates)
            out[entry.control_settings[0]] = [[value, service] for service in SERVICE_TYPES]
    return out


def load_profile(path: str | Path, *, site_name: str | None = None) -> SiteProfile:
    """Read, parse and validate a site profile; ``site_name``: the run's configured site
    (the profile's ``site_name``, when given, must equal it, ignoring case)."""
    path = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except FileNotFoundError:
        raise CaseDefinitionError("site profile not found", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseDefinitionError(f"cannot read the site profile: {exc}", path=path) from None
    return parse_profile(load_yaml(text, path), path, site_name=site_name)
