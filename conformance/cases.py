"""Case files: line-aware YAML loading, schema validation, defaults, templates.

A malformed case file raises :class:`~conformance.errors.CaseDefinitionError` naming the
file, the line and the field; nothing about a case is left to fail mid-run that can be
checked at collection.
"""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .apis import APIS
from .capabilities import check_requires
from .catalogue import catalogue
from .errors import CaseDefinitionError

#: the shared steps (``use: NAME``), looked up beside the case file and in its parents
STEPS_FILE = "_steps.yaml"
#: top-level fields of the old format, which the catalogue now holds
_CATALOGUE_FIELDS = ("title", "since", "source", "apis")


# -- YAML with line numbers -----------------------------------------------------------------
class LineDict(dict):
    line: int = 0
    lines: dict[Any, int]


class LineList(list):
    line: int = 0
    lines: list[int]


# libyaml's parser when PyYAML has it (about 5x faster to collect; same nodes and marks).
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    pass


LineLoader = _Loader  # public: the line-aware loader others build on (report/waivers.py)


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line, out.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise CaseDefinitionError(f"duplicate key '{key}'", line=key_node.start_mark.line + 1,
                                      field=str(key))
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line, out.lines = node.start_mark.line + 1, [c.start_mark.line + 1 for c in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_yaml(text: str, path: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except CaseDefinitionError as exc:
        exc.path = path
        raise CaseDefinitionError(exc.detail, path=path, line=exc.line, field=exc.field) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CaseDefinitionError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                                  line=mark.line + 1 if mark else None) from None


def _line_of(doc: Any, location: list[Any]) -> int | None:
    node, line = doc, getattr(doc, "line", None)
    for part in location:
        if isinstance(node, LineDict) and part in node:
            line = node.lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and part < len(node):
            line = node.lines[part]
            node = node[part]
        else:
            break
    return line


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    text = resources.files("conformance.data").joinpath("case.schema.yaml").read_text("utf-8")
    return yaml.load(text, Loader=_BaseLoader)  # noqa: S506 - a SafeLoader


@lru_cache(maxsize=1)
def default_bodies() -> dict[str, Any]:
    text = resources.files("conformance.data").joinpath("bodies.yaml").read_text("utf-8")
    return yaml.load(text, Loader=_BaseLoader)  # noqa: S506 - a SafeLoader


def _field(location: list[Any]) -> str:
    out = ""
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<top>"


def _explain(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed",
                                     "unknown field(s) not allowed")
    if error.validator == "type" and error.instance is not None and \
            isinstance(error.instance, int) and "string" in str(error.validator_value):
        return (f"must be a string: write it in quotes (exceptionID: '040014'); YAML read "
                f"the unquoted value as the number {error.instance}, losing leading zeros")
    if error.validator == "not" and isinstance(error.instance, dict) \
            and {"body", "xml"} <= set(error.instance):
        return "a step takes 'body' or 'xml', not both"
    if error.validator == "oneOf" and isinstance(error.instance, dict) \
            and "steps" not in error.instance and "name" in error.instance:
        return "a step needs exactly one of 'api' or 'control'"
    return error.message


def validate(doc: Any, path: str) -> None:
    if not isinstance(doc, dict):
        raise CaseDefinitionError("a case file must be a mapping with 'requirement' and "
                                  "'cases'", path=path, line=1)
    validator = jsonschema.Draft202012Validator(
        _schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        _raise_schema_error(jsonschema.exceptions.best_match(errors), doc, path)


def _raise_schema_error(err: jsonschema.ValidationError, doc: Any, path: str,
                        base: tuple[Any, ...] = ()) -> None:
    """The case-definition error for one schema error, at its key's own line and field
    (``base``: where the validated part sits in ``doc``)."""
    loc = [*base, *err.absolute_path]
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        extra = [k for k in err.instance if k not in allowed]
        if extra and not loc and extra[0] in _CATALOGUE_FIELDS:
            raise CaseDefinitionError(
                f"'{extra[0]}' comes from the catalogue (conformance/data/"
                f"requirements.yaml), not the case file: remove it (a case may state "
                f"its own 'since' or 'apis' where they differ)", path=path,
                line=_line_of(doc, [extra[0]]), field=extra[0])
        if extra:  # point at the offending key itself
            loc.append(extra[0])
            raise CaseDefinitionError(f"unknown field '{extra[0]}' (allowed: "
                                      f"{', '.join(sorted(allowed))})", path=path,
                                      line=_line_of(doc, loc), field=_field(loc))
    raise CaseDefinitionError(_explain(err), path=path, line=_line_of(doc, loc),
                              field=_field(loc))


# -- the model ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    name: str
    api: str | None
    body: Any
    xml: str | None
    as_: str
    role: str
    use_defaults: bool
    repeat: Any
    expect: dict[str, Any]
    info: dict[str, Any]
    save: dict[str, str]
    control: dict[str, Any] | None
    line: int | None
    always: bool = False  # runs also after an earlier step stopped the case (clean-up)


@dataclass(frozen=True)
class Case:
    requirement: str
    id: str
    title: str
    since: str
    source: dict[str, str]
    apis: tuple[str, ...]
    requires: tuple[str, ...]
    hazards: tuple[str, ...]
    params: dict[str, Any]
    steps: tuple[Step, ...]
    path: str
    line: int | None
    vars: dict[str, Any] | None = None  # ${vars.NAME}: rendered at run time
    # uses of placements the schema overlay only infers (informational, or pinned where
    # only the position is a guess); see check_schema
    inferred: tuple[InferredUse, ...] = ()

    @property
    def param_id(self) -> str:
        """The parameters' id, as pytest shows it in the node id (``createuser[inner-tab]``):
        one :func:`param_label` per parameter, joined by ``-``."""
        return "-".join(param_label(v) for v in self.params.values())

    @property
    def full_id(self) -> str:
        suffix = f"[{self.param_id}]" if self.params else ""
        return f"{self.requirement}::{self.id}{suffix}"


_WHITESPACE = re.compile(r"\s+")
_WS_NAMES = {" ": "space", "\t": "tab", "\n": "lf", "\r": "cr", "\f": "ff", "\v": "vt",
             "\u00a0": "nbsp"}


def _whitespace_name(run: str) -> str:
    parts: list[str] = []
    for token in re.findall(r"\r\n|.", run, flags=re.DOTALL):
        name = "crlf" if token == "\r\n" else _WS_NAMES.get(token, f"u{ord(token):04x}")
        if not parts or parts[-1] != name:  # "  " is "space", not "space-space"
            parts.append(name)
    return "-".join(parts)


def _escape_id(text: str) -> str:
    """Letters, digits and ``_ . @ + = , -`` as they are; anything else as ``_``."""
    return "".join(c if c.isalnum() or c in "_.@+=,-" else "_" for c in text)


def param_label(value: Any) -> str:
    """A readable, shell-safe id for one parameter value: no raw TAB, CR or LF, no template
    text. A mapping value is named by its ``id`` (else its first value); a string with
    whitespace by the whitespace and where it stands (``leading-space``, ``inner-tab``,
    ``trailing-crlf``); anything else by its text with ``${case.uid}`` written ``case.uid``
    and other characters outside letters, digits and ``_ . @ + = , -`` as ``_``."""
    if isinstance(value, dict):
        named = value.get("id", next(iter(value.values()), ""))
        return _escape_id(_WHITESPACE.sub("_", _TEMPLATE.sub(
            lambda m: m.group(1).strip(), str(named)))) or "empty"
    text = _TEMPLATE.sub(lambda m: m.group(1).strip(), str(value))
    runs = list(_WHITESPACE.finditer(text))
    if runs:
        return "-".join(("leading" if m.start() == 0 else "trailing" if m.end() == len(text)
                         else "inner") + "-" + _whitespace_name(m.group()) for m in runs)
    return _escape_id(text) or "empty"


def _plain(value: Any) -> Any:
    """LineDict/LineList to plain dict/list (for templating and the envelope)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


_TEMPLATE = re.compile(r"\$\{([^}]*)\}")
_KNOWN_ROOTS = {"case", "run", "target", "caps", "params", "time", "saved", "vars"}


def _check_templates(value: Any, path: str, line: int | None, fieldname: str,
                     saved: set[str], params: set[str],
                     variables: frozenset[str] = frozenset()) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and "${" in k:
                _check_templates(k, path, getattr(value, "lines", {}).get(k, line),
                                 f"{fieldname}.{k}", saved, params, variables)
            _check_templates(v, path, getattr(value, "lines", {}).get(k, line),
                             f"{fieldname}.{k}", saved, params, variables)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_templates(v, path, line, f"{fieldname}[{i}]", saved, params, variables)
    elif isinstance(value, str):
        for expr in _TEMPLATE.findall(value):
            root, _, rest = expr.strip().partition(".")
            first = rest.split(".")[0]
            if root in _KNOWN_ROOTS and (root not in ("params", "vars")
                                         or first in (params if root == "params"
                                                      else variables)):
                continue
            if root in saved and not rest:
                continue
            raise CaseDefinitionError(
                f"unknown template value '${{{expr}}}' (saved so far: "
                f"{', '.join(sorted(saved)) or 'none'}; roots: {', '.join(sorted(_KNOWN_ROOTS))})",
                path=path, line=line, field=fieldname)


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        out = copy.deepcopy(base)
        for key, value in override.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = _merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


def step_body(step: Step, api: str | None = None) -> Any:
    """The body to send: the API's default merged with the step's (templates unresolved).
    ``api`` is the step's API once its template is resolved (``${params.api}``): the
    defaults apply to templated APIs too."""
    if step.xml is not None:
        return step.xml
    body = _plain(step.body) if step.body is not None else {}
    api = api or step.api
    if step.use_defaults and api and "${" not in api:
        default = default_bodies().get(api)
        if default is not None:
            return _merge(default, body)
    return body


def _repeat_ok(value: Any) -> bool:
    """``repeat``: a whole number of at least 1, or a template resolved at run time."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 1
    text = str(value).strip()
    return "${" in text or (text.isdigit() and int(text) >= 1)


@lru_cache(maxsize=16)
def _shared_steps_file(path: str, mtime: float) -> dict[str, Any]:
    """The shared steps of one steps file, each validated as a step."""
    del mtime  # part of the cache key only
    text = Path(path).read_text("utf-8")
    doc = load_yaml(text, path)
    if not isinstance(doc, dict) or set(doc) != {"steps"} or not isinstance(doc["steps"], dict):
        raise CaseDefinitionError("a steps file is a mapping with one key, 'steps': "
                                  "name -> step", path=path, line=1)
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/$defs/step", "$defs": _schema()["$defs"]},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    for name, step in doc["steps"].items():
        line = doc["steps"].lines.get(name)
        if not isinstance(step, dict) or "use" in step:
            raise CaseDefinitionError("a shared step is a step mapping (without 'use')",
                                      path=path, line=line, field=f"steps.{name}")
        errors = list(validator.iter_errors(step))
        if errors:
            _raise_schema_error(jsonschema.exceptions.best_match(errors), doc, path,
                                ("steps", name))
    return doc["steps"]


def is_case_file(path: str | Path) -> bool:
    """A case file: ``*.yaml``/``*.yml`` whose name does not start with ``_`` (the shared
    steps file and other helpers)."""
    path = Path(path)
    return path.suffix in (".yaml", ".yml") and not path.name.startswith("_")


def case_files(directory: str | Path) -> list[Path]:
    """The case files of ``directory`` (and its subfolders), sorted."""
    return sorted(p for p in Path(directory).rglob("*") if p.is_file() and is_case_file(p))


def shared_steps(case_path: str | Path) -> tuple[str | None, dict[str, Any]]:
    """(file, steps) of the steps file beside ``case_path`` or in one of its parents."""
    folder = Path(case_path).resolve().parent
    for candidate in (folder, *list(folder.parents)[:3]):
        found = candidate / STEPS_FILE
        if found.is_file():
            return str(found), _shared_steps_file(str(found), found.stat().st_mtime)
    return None, {}


def _use(item: LineDict, path: str, fname: str, line: int | None) -> LineDict:
    """A step with ``use: NAME``: the shared step with this step's fields on top (its
    ``body`` merged into the shared body)."""
    steps_path, steps = shared_steps(path)
    name = item["use"]
    if name not in steps:
        raise CaseDefinitionError(
            f"unknown shared step '{name}' (in {steps_path or STEPS_FILE + ' (none found)'}: "
            f"{', '.join(sorted(steps)) or 'none'})", path=path,
            line=item.lines.get("use", line), field=f"{fname}.use")
    shared = steps[name]
    out = LineDict()
    out.line, out.lines = item.line, {}
    for key, value in shared.items():
        out[key] = value
        out.lines[key] = item.lines.get("use", line)
    for key, value in item.items():
        if key == "use":
            continue
        if key in ("body", "save") and isinstance(value, dict) and \
                isinstance(out.get(key), dict):
            merged = LineDict(_merge(_plain(out[key]), _plain(value)))
            merged.line, merged.lines = getattr(value, "line", line), \
                dict(getattr(value, "lines", {}))
            value = merged
        out[key] = value
        out.lines[key] = item.lines.get(key, line)
    return out


def _steps(raw: list[Any], path: str, case_field: str, params: set[str],
           variables: frozenset[str] = frozenset()) -> tuple[Step, ...]:
    steps, saved = [], set()
    for i, item in enumerate(raw):
        line = raw.lines[i] if isinstance(raw, LineList) else None
        fname = f"{case_field}.steps[{i}]"
        if "use" in item:
            item = _use(item, path, fname, line)
        api = item.get("api")
        if api is not None and "${" not in api and api not in APIS:
            raise CaseDefinitionError(f"unknown API '{api}'", path=path,
                                      line=item.lines.get("api", line), field=f"{fname}.api")
        if "repeat" in item and not _repeat_ok(item["repeat"]):
            raise CaseDefinitionError(f"repeat must be a whole number of at least 1 (or a "
                                      f"${{...}} template), got {item['repeat']!r}", path=path,
                                      line=item.lines.get("repeat", line),
                                      field=f"{fname}.repeat")
        for key in ("api", "body", "expect", "info", "repeat", "control"):
            if key in item:
                _check_templates(item[key], path, item.lines.get(key, line),
                                 f"{fname}.{key}", saved, params, variables)
        if "xml" in item:
            _check_templates(item["xml"], path, item.lines.get("xml", line), f"{fname}.xml",
                             saved, params, variables)
        steps.append(Step(
            name=item["name"], api=api, body=item.get("body"), xml=item.get("xml"),
            as_=item.get("as", "admin"), role=item.get("role", "check"),
            use_defaults=item.get("defaults", True), repeat=item.get("repeat"),
            expect=_plain(item.get("expect", {})), info=_plain(item.get("info", {})),
            save=_plain(item.get("save", {})), control=_plain(item.get("control")),
            line=line, always=bool(item.get("always", False))))
        saved |= set(item.get("save", {}))
    return tuple(steps)


def _param_list(value: Any, key: str) -> list[str]:
    """A parameter value's own ``requires`` (or ``hazards``): a mapping value may carry
    them, for that value only."""
    if isinstance(value, dict) and isinstance(value.get(key), list):
        return [str(v) for v in value[key]]
    return []


def _param_requires(combo: tuple[Any, ...], names: list[str], parameters: dict[str, Any],
                    raw: Any, defaults: Any, doc: Any, path: str, index: int) -> list[str]:
    """The ``requires`` of this combination's parameter values, checked at their lines."""
    out: list[str] = []
    for name, value in zip(names, combo, strict=True):
        if not _param_list(value, "requires"):
            continue
        own = "parameters" in raw and name in raw["parameters"]
        base = ["cases", index, "parameters", name] if own else ["defaults", "parameters", name]
        where = f"cases[{index}].parameters.{name}" if own else f"defaults.parameters.{name}"
        position = next((i for i, v in enumerate(parameters[name]) if v is value), 0)
        out += check_requires(value["requires"], path,
                              _line_of(doc, [*base, position, "requires"]),
                              field=f"{where}[{position}].requires")
    return out


def load_case_file(path: str | Path) -> list[Case]:
    """Load, validate and expand (parameters) one case file. The requirement's facts
    (title, since, source, APIs) come from the catalogue."""
    path = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseDefinitionError(f"cannot read: {exc}", path=path) from None
    doc = load_yaml(text, path)
    validate(doc, path)
    requirement = catalogue().get(doc["requirement"])
    if requirement is None:
        raise CaseDefinitionError(
            f"unknown requirement id '{doc['requirement']}': not in the catalogue "
            f"(conformance/data/requirements.yaml; ids from behaviours.md)", path=path,
            line=doc.lines.get("requirement"), field="requirement")
    defaults = doc.get("defaults", {})
    out: list[Case] = []
    seen: set[str] = set()
    for index, raw in enumerate(doc["cases"]):
        case_field = f"cases[{index}]"
        line = doc["cases"].lines[index]
        if raw["id"] in seen:
            raise CaseDefinitionError(f"duplicate case id '{raw['id']}'", path=path, line=line,
                                      field=f"{case_field}.id")
        seen.add(raw["id"])
        parameters = {**defaults.get("parameters", {}), **raw.get("parameters", {})}
        variables = {**defaults.get("vars", {}), **raw.get("vars", {})}
        for key in ("vars",):
            if key in raw:
                _check_templates(raw[key], path, raw.lines.get(key, line),
                                 f"{case_field}.{key}", set(), set(parameters))
        steps = _steps(raw["steps"], path, case_field, set(parameters), frozenset(variables))
        # every requires names a capability of the registry: a misspelt one is a load
        # error here, never a silent SKIP (each checked at its own line)
        requires = [*check_requires(defaults.get("requires", []), path,
                                    _line_of(doc, ["defaults", "requires"]),
                                    field="defaults.requires"),
                    *check_requires(raw.get("requires", []), path,
                                    _line_of(doc, ["cases", index, "requires"]),
                                    field=f"{case_field}.requires")]
        names = list(parameters)
        combos = itertools.product(*(parameters[n] for n in names)) if names else [()]
        for combo in combos:
            inferred = check_schema(raw["steps"], steps, dict(zip(names, combo, strict=True)),
                                    path, case_field)
            out.append(Case(
                requirement=requirement.id, id=raw["id"], title=raw["title"],
                since=str(raw.get("since", requirement.since)),
                source=dict(requirement.source),
                apis=tuple(raw.get("apis", requirement.apis)),
                requires=tuple(dict.fromkeys([*requires, *_param_requires(
                    combo, names, parameters, raw, defaults, doc, path, index)])),
                hazards=tuple(dict.fromkeys([*defaults.get("hazards", []),
                                             *raw.get("hazards", []),
                                             *(h for v in combo
                                               for h in _param_list(v, "hazards"))])),
                params=dict(zip(names, combo, strict=True)), steps=steps, path=path, line=line,
                vars=_plain(variables) or None, inferred=tuple(dict.fromkeys(inferred))))
    return out


# -- the XML API schema: every XPath and request element must resolve -----------------------
_XPATH_LISTS = ("present", "absent")
_XPATH_KEYS = ("equals", "matches", "count")


def _param_value(params: dict[str, Any], expr: str) -> Any:
    node: Any = {"params": params}
    for part in expr.strip().split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _with_params(text: str, params: dict[str, Any]) -> str:
    """``${params...}`` resolved for this parameter value; the other templates (saved and
    run values) can only stand inside string literals, where ``x`` stands for them."""
    def sub(m: re.Match[str]) -> str:
        value = _param_value(params, m.group(1)) if m.group(1).strip().startswith(
            "params.") else None
        return str(value) if value is not None and not isinstance(value, dict) else "x"
    return _TEMPLATE.sub(sub, text)


def _xpaths(block: dict[str, Any], prefix: list[Any]) -> list[tuple[list[Any], str]]:
    out: list[tuple[list[Any], str]] = []
    for key in _XPATH_LISTS:
        for index, xpath in enumerate(block.get(key) or []):
            out.append(([*prefix, key, index], xpath))
    for key in _XPATH_KEYS:
        for xpath in block.get(key) or {}:
            out.append(([*prefix, key, xpath], xpath))
    if isinstance(block.get("each"), dict):
        out += _xpaths(block["each"], [*prefix, "each"])
    return out


def check_schema(raw_steps: Any, steps: tuple[Step, ...], params: dict[str, Any], path: str,
                 case_field: str) -> list[InferredUse]:
    """Every XPath of ``expect``, ``info`` and ``save`` and every element of a step's request
    body (defaults included) must resolve in the schema for the step's API; a
    :class:`CaseDefinitionError` names the file, line and field otherwise. A gating use of
    an ``inferred`` placement (see :func:`inferred_uses`) is refused too. Returns the
    non-gating (informational) uses of inferred placements."""
    from .schema import SchemaPathError, resolve_body, resolve_path

    found: list[InferredUse] = []
    for index, step in enumerate(steps):
        if step.api is None:
            continue
        raw = raw_steps[index] if isinstance(raw_steps, list) and index < len(raw_steps) \
            else {}
        fname = f"{case_field}.steps[{index}]"
        api = _with_params(step.api, params)
        if api not in APIS:
            raise CaseDefinitionError(f"unknown API '{api}' (from {step.api})", path=path,
                                      line=_line_of(raw, ["api"]) or step.line,
                                      field=f"{fname}.api")
        checks: list[tuple[list[Any], str, str]] = []
        for block in ("expect", "info"):
            checks += [(loc, xp, block) for loc, xp in
                       _xpaths(getattr(step, block) or {}, [block])]
        checks += [(["save", name], xp, "save") for name, xp in (step.save or {}).items()]
        for loc, xpath, block in checks:
            text = _with_params(xpath, params)
            field = f"{fname}.{_field(loc)}"
            line = _line_of(raw, loc) or step.line
            try:
                uses = resolve_path(api, text, side="response")
            except SchemaPathError as exc:
                raise CaseDefinitionError(exc.detail + (f" (from {xpath!r})" if text != xpath
                                                        else ""), path=path, line=line,
                                          field=field) from None
            for use in uses:
                if use.decl.placement != "inferred" or not use.pinned:
                    continue
                if use.decl.parent_inferred and block in ("expect", "save"):
                    raise CaseDefinitionError(
                        f"{xpath!r} pins {use.decl.name} under {use.decl.owner}, a parent the "
                        f"schema overlay only infers for {api}: a conformant server may put "
                        f"it elsewhere. Find it anywhere (.//prefix:{use.decl.name}) or "
                        f"check this path under 'info'", path=path, line=line, field=field)
                found.append(InferredUse(path, line, field, api, use.decl.name, text, block))
        if step.xml is None:
            body = step_body(step, api)
            if isinstance(body, dict):
                try:
                    uses = resolve_body(api, _render_keys(body, params))
                except SchemaPathError as exc:
                    raise CaseDefinitionError(exc.detail, path=path,
                                              line=_line_of(raw, ["body"]) or step.line,
                                              field=f"{fname}.body") from None
                for use in uses:
                    if use.decl.placement == "inferred":
                        found.append(InferredUse(path, _line_of(raw, ["body"]) or step.line,
                                                 f"{fname}.body.{use.path.replace('/', '.')}",
                                                 api, use.decl.name, use.path, "body"))
    return found


def _render_keys(body: Any, params: dict[str, Any]) -> Any:
    if isinstance(body, dict):
        return {(_with_params(k, params) if isinstance(k, str) and "${params." in k else k):
                _render_keys(v, params) for k, v in body.items()}
    if isinstance(body, list):
        return [_render_keys(v, params) for v in body]
    return body


@dataclass(frozen=True)
class InferredUse:
    """A case naming an element at a placement the overlay only infers."""

    path: str
    line: int | None
    field: str
    api: str
    element: str
    xpath: str
    block: str  # expect | info | save | body

    def __str__(self) -> str:
        return (f"{self.path}:{self.line}: field '{self.field}': {self.api} {self.element} "
                f"at an inferred placement ({self.xpath})")


# -- templates at run time ---------------------------------------------------------------------
class TemplateError(CaseDefinitionError):
    pass


def _lookup(context: dict[str, Any], expr: str) -> Any:
    node: Any = context
    for part in expr.strip().split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise TemplateError(f"template value '${{{expr}}}' is not available here")
    if callable(node):
        node = node()
    return node


def render(value: Any, context: dict[str, Any]) -> Any:
    """Resolve ``${...}`` in strings (recursively). A string that is exactly one template
    takes the value's own type."""
    if isinstance(value, dict):
        return {(render(k, context) if isinstance(k, str) else k): render(v, context)
                for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, context) for v in value]
    if isinstance(value, str):
        whole = _TEMPLATE.fullmatch(value)
        if whole:
            return _lookup(context, whole.group(1))
        return _TEMPLATE.sub(lambda m: str(_lookup(context, m.group(1))), value)
    return value
