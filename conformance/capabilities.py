"""Capabilities in one place: the registry of everything a case may require, the parsers
that read them from the site's own answers, and the frozen :class:`Capabilities` of a run.

Every capability is one :class:`Capability` entry in :data:`REGISTRY`: its name (what a
case writes in ``requires``), what it means, how it is determined, and for a site setting
what its values mean. Four sources, each named by its entry:

* ``discovery``: the site's own answers (GetSite, LstMeetingType, GetUser,
  LstAccessAnywhereHistory, LstRecording), read once per run by the pure parsers below;
* ``profile``: the site profile, where the site's administrator states what the XML API
  does not report (``conformance.profile``);
* ``control``: the mock's control interface, which arranges the state a case needs;
* ``configuration``: what the run was given (a second account, a JWT, an access token).

:func:`build_capabilities` combines them, once per run, into a frozen
:class:`Capabilities`: it is a pure function of (discovery observations, profile,
has_control, configuration). Where the site's answer shows a value, discovery wins over the
profile, and a disagreement between them becomes a finding. A controllable mock arranges
what a case requires (:meth:`Capabilities.control_settings`), so a case written for a
setting's *value* runs on a mock (set through the control interface) and on a site that has
that value (read from its answers or its profile).

Requirements are written ``name`` (the capability is present; for a site setting: it is on)
or ``name=value`` (a site setting with that value: ``all_meetings_need_password=false``).
:func:`check_requires` refuses, at load time, a name the registry does not know.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from lxml import etree

from .errors import CaseDefinitionError
from .namespaces import NS

DISCOVERY = "discovery"
PROFILE = "profile"
CONTROL = "control"
CONFIGURATION = "configuration"
SOURCES = (DISCOVERY, PROFILE, CONTROL, CONFIGURATION)

# Value kinds. A "flag" is a site setting (true/false, may be required with either value);
# "choice" takes one of the entry's choices; the others are present when known.
PRESENCE, FLAG, CHOICE, MEETING_TYPE, NAME, TEMPLATES, TEXT = (
    "presence", "flag", "choice", "meeting_type", "name", "templates", "text")
KINDS = (PRESENCE, FLAG, CHOICE, MEETING_TYPE, NAME, TEMPLATES, TEXT)

SERVICE_TYPES = ("MeetingCenter", "EventCenter", "TrainingCenter")


@dataclass(frozen=True)
class MeetingTemplate:
    """A site-level custom meeting template (GetSite, 40.12.0): its name and service."""

    name: str
    service_type: str


@dataclass(frozen=True)
class Capability:
    """One entry of the registry.

    ``description`` completes "needs ...", in a skip reason. ``determined_by`` lists the
    sources in precedence order (discovery before profile: the site's answer wins).
    ``discovery`` says where in the site's answers the value is read (or, for an entry
    whose value the profile states, which answer is compared with it); ``profile_key`` is
    the dotted key of the site profile; ``control_settings`` are the mock settings the
    entry stands for (a flag: the one setting the control interface sets to the required
    value); ``control_value``/``control_arrange`` are the value on a controllable mock and
    the mock settings that make it hold. ``values`` explains a setting's values.
    """

    name: str
    description: str
    determined_by: tuple[str, ...]
    kind: str = PRESENCE
    discovery: str | None = None
    profile_key: str | None = None
    control_settings: tuple[str, ...] = ()
    control_value: Any = None
    control_arrange: Mapping[str, Any] | None = None
    values: str = ""
    choices: tuple[str, ...] = ()
    admin_name: str | None = None  # what the site's Site Administration calls it

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"capability {self.name}: unknown kind {self.kind!r}")
        unknown = set(self.determined_by) - set(SOURCES)
        if not self.determined_by or unknown:
            raise ValueError(f"capability {self.name}: determined_by must name sources of "
                             f"{SOURCES}, got {self.determined_by}")
        if DISCOVERY in self.determined_by and not self.discovery:
            raise ValueError(f"capability {self.name}: a discovered entry says where "
                             f"(discovery=...)")
        if (PROFILE in self.determined_by) != (self.profile_key is not None):
            raise ValueError(f"capability {self.name}: a profile entry names its profile_key")
        if self.kind == FLAG and (len(self.control_settings) != 1 or not self.values):
            raise ValueError(f"capability {self.name}: a flag names its one mock setting "
                             f"and explains its values")
        if self.kind == CHOICE and not self.choices:
            raise ValueError(f"capability {self.name}: a choice lists its choices")

    @property
    def arrangeable(self) -> bool:
        """The control interface can make it hold (any value, for a flag)."""
        return CONTROL in self.determined_by or (self.kind == FLAG and bool(self.control_settings))

    @property
    def label(self) -> str:
        return self.admin_name or self.name


_FLAG_SOURCES = (DISCOVERY, PROFILE, CONTROL)

# The mock's own fixed state, as used when the control interface arranges a capability.
_MOCK_STANDARD_TYPE = 3  # conformance/mock/state.py: MeetingType(3, "PRO", ...)
_MOCK_TEMPLATES = (MeetingTemplate("Conformance MC template", "MeetingCenter"),
                   MeetingTemplate("Conformance EC template", "EventCenter"),
                   MeetingTemplate("Conformance TC template", "TrainingCenter"))
_MOCK_EDU_TEMPLATE = "Conformance EDU class"

_ENTRIES: tuple[Capability, ...] = (
    # -- the account and the run's configuration -----------------------------------------
    Capability("site_admin", "the configured account to be a site admin",
               (DISCOVERY,), discovery="GetUser use:privilege/use:siteAdmin = true"),
    Capability("second_user", "a second, non-admin account (WEBEX_HOST_ID and "
               "WEBEX_HOST_PASSWORD)", (CONFIGURATION,)),
    Capability("jwt", "an API key JWT (WEBEX_JWT)", (CONFIGURATION,)),
    Capability("access_token", "an access token (WEBEX_ACCESS_TOKEN)", (CONFIGURATION,)),
    Capability("mock_control", "the mock's control interface (site settings, clock)",
               (CONTROL,), control_value=True),
    # -- what the site has --------------------------------------------------------------
    Capability("recording", "an existing recording of the configured account",
               (DISCOVERY,), kind=TEXT, discovery="LstRecording ep:recording/ep:recordingID"),
    Capability("access_anywhere_history", "Access Anywhere sessions in the site's history",
               (DISCOVERY, CONTROL), discovery="LstAccessAnywhereHistory "
               "history:accessAnyWhereInfo (000015: none)", control_value=True),
    Capability("private_meeting_type", "a meeting type that supports private meetings",
               (DISCOVERY, PROFILE), kind=MEETING_TYPE,
               discovery="LstMeetingType mtgtype:meetingType with serviceType MeetingCenter "
               "and SupportPrivateMeeting = true", profile_key="meeting_types.private"),
    Capability("standard_meeting_type", "a MeetingCenter meeting type without private "
               "meetings or E2EE", (DISCOVERY,), kind=MEETING_TYPE,
               discovery="LstMeetingType mtgtype:meetingType with serviceType MeetingCenter, "
               "SupportPrivateMeeting not true and options/supportE2E not true"),
    Capability("e2ee_meeting_type", "a meeting type whose meetings are end-to-end "
               "encrypted (E2EE)", (DISCOVERY, PROFILE, CONTROL), kind=MEETING_TYPE,
               discovery="LstMeetingType mtgtype:meetingType with serviceType MeetingCenter "
               "and options/supportE2E = true", profile_key="meeting_types.e2ee_only",
               control_settings=("e2ee_meeting_types",), control_value=_MOCK_STANDARD_TYPE,
               control_arrange={"e2ee_meeting_types": [_MOCK_STANDARD_TYPE]},
               admin_name="end-to-end encrypted (E2EE) meeting types"),
    # The templates as the admin set them are the expectation GetSite is checked against
    # (site-meeting-templates): the profile states them; GetSite is compared, not believed.
    Capability("meeting_templates", "the site's custom meeting templates, as its "
               "administrator set them", (PROFILE, CONTROL), kind=TEMPLATES,
               discovery="GetSite site:siteInstance//site:meetingTemplates/site:meetingTemplate",
               profile_key="meeting_templates", control_settings=("meeting_templates",),
               control_value=_MOCK_TEMPLATES,
               control_arrange={"meeting_templates": [[t.name, t.service_type]
                                                      for t in _MOCK_TEMPLATES]},
               admin_name="site meeting templates"),
    Capability("edu_template", "the name of an EDU meeting template", (PROFILE, CONTROL),
               kind=NAME, profile_key="edu_template",
               control_settings=("edu_meeting_templates",), control_value=_MOCK_EDU_TEMPLATE,
               control_arrange={"edu_meeting_templates": [
                   [_MOCK_EDU_TEMPLATE, service] for service in SERVICE_TYPES]},
               admin_name="EDU meeting templates"),
    Capability("cmr_hybrid_voip_placement", "to know where the site's GetUser answer puts "
               "cmrHybridVoip (the 40.11.0 notes show it only as an image)",
               (DISCOVERY, CONTROL), kind=CHOICE, choices=("privilege", "user"),
               control_settings=("cmr_hybrid_voip_placement",),
               discovery="GetUser use:privilege/use:cmrHybridVoip (privilege) or "
               "use:cmrHybridVoip (user)",
               values="privilege: under use:privilege, next to voiceOverIp; user: directly "
               "under the user"),
    # -- what only the control interface can arrange -------------------------------------
    Capability("meeting_in_progress", "a meeting in progress with its host and attendees "
               "joined", (CONTROL,),
               control_value=True),
    Capability("clock", "the site's clock moved on during the case (days, never slept "
               "for)", (CONTROL,), control_value=True),
    Capability("setting_toggle", "a site setting switched on and off during the case (a "
               "site's administrator does not change settings during a run)", (CONTROL,),
               control_value=True),
    Capability("confirmation_link", "the link of a confirmation email followed (a mailbox "
               "the suite does not read)", (CONTROL,), control_value=True),
    Capability("throttle_limit", "a known limit of not-found errors per hour for "
               "GetSessionInfo/GetUserCard (not documented) and a clock to advance by hours",
               (CONTROL,), control_settings=("throttle_not_found_limit",), control_value=True),
    # -- site settings (flags) -----------------------------------------------------------
    Capability("all_meetings_need_password", "the site setting 'All meetings must have a "
               "password'", _FLAG_SOURCES, kind=FLAG,
               discovery="GetSite site:siteInstance/site:securityOptions/site:allMeetingsPassword",
               profile_key="settings.all_meetings_need_password",
               control_settings=("all_meetings_need_password",),
               values="true: a meeting scheduled without a password gets one generated; "
               "false: none is generated",
               admin_name="'All meetings must have a password'"),
    Capability("display_name_enabled", "the site toggle EnableDisplayName", _FLAG_SOURCES,
               kind=FLAG, discovery="GetSite EnableDisplayName anywhere in site:siteInstance "
               "(placement not documented)", profile_key="settings.display_name_enabled",
               control_settings=("enable_display_name",),
               values="true: EnableDisplayName = 1, displayName is stored and returned; "
               "false: it is ignored and not shown", admin_name="EnableDisplayName"),
    Capability("consistent_locked_lobby", "the site setting ConsistentLockedLobby",
               _FLAG_SOURCES, kind=FLAG, discovery="GetSite ConsistentLockedLobby anywhere "
               "in site:siteInstance (placement not documented)",
               profile_key="settings.consistent_locked_lobby",
               control_settings=("consistent_locked_lobby",),
               values="true: meetings take the locked-lobby options (externalAttendeeSecurity, "
               "autoLock, autoLockWaitTime); false: the behaviour is not documented",
               admin_name="ConsistentLockedLobby"),
    Capability("email_change_needs_confirmation", "the site setting 'require confirmation "
               "to update email'", (PROFILE, CONTROL), kind=FLAG,
               profile_key="settings.email_change_needs_confirmation",
               control_settings=("require_email_confirmation",),
               values="true: a non-admin's new email waits for confirmation, an admin's "
               "change is at once; false: every change is at once",
               admin_name="'Require confirmation to update email'"),
    Capability("scheduled_pmr_in_lists", "the site toggle SupportXMLAPIReturnScheduledPMR",
               _FLAG_SOURCES, kind=FLAG, discovery="GetSite site:siteInstance/"
               "site:siteCommonOptions/site:SupportXMLAPIReturnScheduledPMR",
               profile_key="settings.scheduled_pmr_in_lists",
               control_settings=("support_return_scheduled_pmr",),
               values="true: LstsummarySession returnScheduledPMR lists scheduled PMR "
               "meetings (isScheduledPMR); false (the default): it does not",
               admin_name="SupportXMLAPIReturnScheduledPMR"),
    Capability("mobile_screen_capture", "the site setting EnableMobileScreenCapture",
               _FLAG_SOURCES, kind=FLAG, discovery="GetSite site:siteInstance/"
               "site:securityOptions/site:EnableMobileScreenCapture",
               profile_key="settings.mobile_screen_capture",
               control_settings=("enable_mobile_screen_capture",),
               values="true: the Meetings app lets users capture the screen; false: it does not",
               admin_name="securityOptions/EnableMobileScreenCapture"),
    Capability("control_hub_linked", "the site's link to Control Hub (a CI unified site)",
               (PROFILE, CONTROL), kind=FLAG, profile_key="settings.control_hub_linked",
               control_settings=("ci_linked_site",),
               values="true: a Control-Hub-linked (CI unified) site, SetUser cannot change "
               "supportedServices; false: a site administered in Site Administration",
               admin_name="the site's link to Control Hub (CI unified site)"),
    Capability("edu_session_type", "the Education Instructor (EDU) session type",
               (PROFILE, CONTROL), kind=FLAG, profile_key="settings.edu_session_type",
               control_settings=("edu_session_type",),
               values="true: the Education Instructor session type is enabled, meetings can "
               "be scheduled with EDU templates; false: it is not",
               admin_name="the Education Instructor session type"),
)

#: Every capability a case may require, by name.
REGISTRY: Mapping[str, Capability] = MappingProxyType({c.name: c for c in _ENTRIES})
if len(REGISTRY) != len(_ENTRIES):  # pragma: no cover - a programming error
    raise RuntimeError("duplicate capability names in the registry")

#: Names used before the registry, kept so that old case files still load.
ALIASES: Mapping[str, str] = MappingProxyType({
    "locked_lobby": "consistent_locked_lobby=true",
    "email_confirmation_setting": "email_change_needs_confirmation=true",
})

#: Identities a step may call as (``as:``) and the capability each needs.
IDENTITIES: Mapping[str, str] = MappingProxyType({"host": "second_user", "jwt": "jwt"})


def by_control_setting(setting: str) -> Capability | None:
    """The entry that stands for a mock control setting (``enable_display_name``)."""
    for entry in _ENTRIES:
        if setting in entry.control_settings:
            return entry
    return None


def by_profile_key(key: str) -> Capability | None:
    for entry in _ENTRIES:
        if entry.profile_key == key:
            return entry
    return None


def profile_keys() -> dict[str, Capability]:
    """Profile key -> entry, for the profile's validation (``conformance.profile``)."""
    return {c.profile_key: c for c in _ENTRIES if c.profile_key}


def describe(name: str) -> str:
    """What a capability (or an identity of ``as:``) needs, for a skip reason."""
    entry = REGISTRY.get(IDENTITIES.get(name, name))
    return entry.description if entry else name


def describe_control_setting(setting: str) -> str:
    """How a site's administrator calls a mock setting, for a skip reason."""
    entry = by_control_setting(setting)
    return entry.label if entry else setting


# -- requirements --------------------------------------------------------------------------
_BOOL_WORDS = {"true": True, "false": False}


@dataclass(frozen=True)
class Requirement:
    """One ``requires`` item: a capability, and for a flag or choice the wanted value."""

    name: str
    value: Any = None

    @property
    def entry(self) -> Capability:
        return REGISTRY[self.name]

    def __str__(self) -> str:
        if self.value is None:
            return self.name
        value = ("true" if self.value else "false") if isinstance(self.value, bool) \
            else str(self.value)
        return f"{self.name}={value}"


def parse_requirement(text: str) -> Requirement:
    """``name`` or ``name=value``; raises :class:`ValueError` with the reason."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"a requirement is a capability name, not {text!r}")
    text = ALIASES.get(text.strip(), text.strip())
    name, eq, raw = (p.strip() for p in text.partition("="))
    entry = REGISTRY.get(name)
    if entry is None:
        close = difflib.get_close_matches(name, [*REGISTRY, *ALIASES], n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ValueError(f"unknown capability '{name}'{hint}; known: "
                         f"{', '.join(sorted(REGISTRY))}")
    if entry.kind == FLAG:
        if not eq:
            return Requirement(name, True)
        if raw.lower() not in _BOOL_WORDS:
            raise ValueError(f"'{name}' is a site setting: write {name}=true or "
                             f"{name}=false, not {text!r}")
        return Requirement(name, _BOOL_WORDS[raw.lower()])
    if entry.kind == CHOICE:
        if not eq:
            return Requirement(name)
        if raw not in entry.choices:
            raise ValueError(f"'{name}' is one of {', '.join(entry.choices)}, not {raw!r}")
        return Requirement(name, raw)
    if eq:
        raise ValueError(f"'{name}' takes no value ({entry.kind}): write just '{name}'")
    return Requirement(name)


def check_requires(names: Iterable[Any], file: str | None = None, line: int | None = None,
                   *, field: str = "requires") -> tuple[str, ...]:
    """Validate a case's ``requires`` (a misspelt name is a load error, never a silent
    SKIP). Returns the canonical requirement strings (aliases resolved), in order."""
    out: list[str] = []
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise CaseDefinitionError("requires is a list of capability names", path=file,
                                  line=line, field=field)
    for index, name in enumerate(names):
        try:
            out.append(str(parse_requirement(name)))
        except ValueError as exc:
            raise CaseDefinitionError(str(exc), path=file, line=line,
                                      field=f"{field}[{index}]") from None
    return tuple(dict.fromkeys(out))


# -- discovery: pure parsers over the site's answers ----------------------------------------
@dataclass(frozen=True)
class Observation:
    """What one answer showed, and where (``evidence``). ``value`` None: the answer shows
    that there is none (no private meeting type). For meeting types also the IDs that
    qualify (``accepts``), that the answer lists as not qualifying (``rejects``) and every
    ID it lists (``listed``). ``problem``: the answer carries the element, but not a usable
    value (a finding; the capability stays unknown)."""

    value: Any
    evidence: str
    accepts: frozenset[Any] = frozenset()
    rejects: frozenset[Any] = frozenset()
    listed: frozenset[Any] = frozenset()
    problem: str | None = None


def _bool(text: str | None) -> bool | None:
    """xsd:boolean (true, false, 1, 0); None for anything else."""
    value = (text or "").strip().lower()
    return {"true": True, "1": True, "false": False, "0": False}.get(value)


def _flag(found: list[etree._Element], name: str, where: str) -> Observation | None:
    if not found:
        return None
    text = found[0].text
    value = _bool(text)
    shown = (text or "").strip()
    if value is None:
        return Observation(None, where, problem=f"{where} is {shown!r}, not an xsd:boolean")
    return Observation(value, f"{where} = {shown}")


def _xp(node: etree._Element, path: str) -> list[etree._Element]:
    return [e for e in node.xpath(path, namespaces=NS) if isinstance(e, etree._Element)]


def parse_get_site(body: etree._Element | None) -> dict[str, Observation]:
    """GetSite's bodyContent (SUCCESS) -> site settings and meeting templates.

    Documented placements (2011 site.xsd and the 40.x samples): securityOptions/
    allMeetingsPassword (site.xsd securityOptionsType), securityOptions/
    EnableMobileScreenCapture (40.10.0 sample), siteCommonOptions/
    SupportXMLAPIReturnScheduledPMR (40.6.0 sample), meetingTemplates (40.12.0 sample,
    after metaData's meetingTypes). EnableDisplayName and ConsistentLockedLobby have no
    documented placement: they are looked for anywhere in the site's namespace.
    An absent element shows nothing (unknown), except the templates: "if site-level custom
    templates exist, GetSite returns them", so none returned means none.
    """
    out: dict[str, Observation] = {}
    if body is None:
        return out
    instances = _xp(body, "site:siteInstance")
    if not instances:
        return out
    site = instances[0]
    documented = {
        "all_meetings_need_password": "site:securityOptions/site:allMeetingsPassword",
        "mobile_screen_capture": "site:securityOptions/site:EnableMobileScreenCapture",
        "scheduled_pmr_in_lists": "site:siteCommonOptions/site:SupportXMLAPIReturnScheduledPMR",
    }
    for name, path in documented.items():
        obs = _flag(_xp(site, path), name, f"GetSite siteInstance/{path.replace('site:', '')}")
        if obs is not None:
            out[name] = obs
    anywhere = {"display_name_enabled": "EnableDisplayName",
                "consistent_locked_lobby": "ConsistentLockedLobby"}
    for name, local in anywhere.items():
        found = _xp(site, f".//site:{local}")
        obs = _flag(found, name, f"GetSite {_path_of(found[0], site)}" if found else "")
        if obs is not None:
            out[name] = obs
    templates = []
    for t in _xp(site, ".//site:meetingTemplates/site:meetingTemplate"):
        name = (t.findtext(f"{{{NS['site']}}}meetingTemplateName") or "").strip()
        service = (t.findtext(f"{{{NS['site']}}}serviceType") or "").strip()
        templates.append(MeetingTemplate(name, service))
    shown = ", ".join(f"{t.name} ({t.service_type})" for t in templates) or "none"
    out["meeting_templates"] = Observation(tuple(templates),
                                           f"GetSite siteInstance//meetingTemplates: {shown}")
    return out


def _path_of(node: etree._Element, top: etree._Element) -> str:
    parts = []
    while node is not None and node is not top:
        parts.append(etree.QName(node).localname)
        node = node.getparent()
    return "siteInstance/" + "/".join(reversed(parts))


def parse_lst_meeting_type(body: etree._Element | None) -> dict[str, Observation]:
    """LstMeetingType's bodyContent -> private, standard and E2EE meeting types (MeetingCenter
    types only). A type qualifies as private with SupportPrivateMeeting = true (40.12.0) and
    as E2EE with options/supportE2E = true (meetingtype.xsd optionsType); an element the
    answer does not carry neither accepts nor rejects the type."""
    out: dict[str, Observation] = {}
    if body is None:
        return out
    private: list[int] = []
    not_private: set[int] = set()
    e2ee: list[int] = []
    not_e2ee: set[int] = set()
    standard: list[int] = []
    listed: set[int] = set()
    other_services: set[int] = set()  # not MeetingCenter: never qualify
    for mt in _xp(body, "mtgtype:meetingType"):
        text = (mt.findtext(f"{{{NS['mtgtype']}}}meetingTypeID") or "").strip()
        if not text.isdigit():
            continue
        type_id = int(text)
        listed.add(type_id)
        services = [(s.text or "").strip() for s in
                    _xp(mt, "mtgtype:serviceTypes/mtgtype:serviceType")]
        is_private = _bool(mt.findtext(f"{{{NS['mtgtype']}}}SupportPrivateMeeting"))
        is_e2ee = _bool(mt.findtext(f"{{{NS['mtgtype']}}}options/{{{NS['mtgtype']}}}supportE2E"))
        if "MeetingCenter" not in services:
            other_services.add(type_id)
            not_private.add(type_id)
            not_e2ee.add(type_id)
            continue
        (private.append(type_id) if is_private else
         not_private.add(type_id) if is_private is False else None)
        (e2ee.append(type_id) if is_e2ee else
         not_e2ee.add(type_id) if is_e2ee is False else None)
        if not is_private and not is_e2ee:
            standard.append(type_id)
    ids = ", ".join(str(i) for i in sorted(listed)) or "none"
    reported_private = bool(private) or bool(not_private - other_services)
    reported_e2ee = bool(e2ee) or bool(not_e2ee - other_services)
    if reported_private:  # else no type says: unknown (a site before 40.12.0)
        out["private_meeting_type"] = Observation(
            private[0] if private else None,
            f"LstMeetingType: private types {private or 'none'} of {ids}",
            frozenset(private), frozenset(not_private), frozenset(listed))
    if reported_e2ee:  # else no MeetingCenter type reports options/supportE2E: unknown
        out["e2ee_meeting_type"] = Observation(
            e2ee[0] if e2ee else None, f"LstMeetingType: E2EE types {e2ee or 'none'} of {ids}",
            frozenset(e2ee), frozenset(not_e2ee), frozenset(listed))
    if standard:
        out["standard_meeting_type"] = Observation(
            standard[0], f"LstMeetingType: standard types {standard} of {ids}",
            frozenset(standard), listed=frozenset(listed))
    return out


def parse_get_user(body: etree._Element | None) -> dict[str, Observation]:
    """GetUser's bodyContent (the configured account) -> site admin, and where the answer
    puts cmrHybridVoip (under privilege, or directly under the user)."""
    out: dict[str, Observation] = {}
    if body is None:
        return out
    admin = _flag(_xp(body, "use:privilege/use:siteAdmin"), "site_admin",
                  "GetUser use:privilege/use:siteAdmin")
    if admin is not None:
        out["site_admin"] = admin
    if _xp(body, "use:privilege/use:cmrHybridVoip"):
        out["cmr_hybrid_voip_placement"] = Observation(
            "privilege", "GetUser use:privilege/use:cmrHybridVoip")
    elif _xp(body, "use:cmrHybridVoip"):
        out["cmr_hybrid_voip_placement"] = Observation("user", "GetUser use:cmrHybridVoip")
    return out


NOT_FOUND = "000015"


def parse_lst_access_anywhere_history(body: etree._Element | None,
                                      exception_id: str | None = None
                                      ) -> dict[str, Observation]:
    """LstAccessAnywhereHistory -> whether the site's history has records. A SUCCESS with
    records: yes, with what the first record shows (``total``, ``conf_id``, ``start_time``,
    ``end_time``, and their days ``start_date``/``end_date``: cases scope their requests
    to it); FAILURE 000015 (an empty list,
    documented): no; anything else: unknown."""
    records = _xp(body, "history:accessAnyWhereInfo") if body is not None else []
    if records:
        def text(el: etree._Element, name: str) -> str:
            return (el.findtext(f"{{{NS['history']}}}{name}") or "").strip()
        total_el = _xp(body, "history:matchingRecords/serv:total") if body is not None else []
        total_text = (total_el[0].text or "").strip() if total_el else ""
        total = int(total_text) if total_text.isdigit() else len(records)
        first = records[0]
        start, end = text(first, "startTime"), text(first, "endTime")
        value = MappingProxyType({"total": total, "conf_id": text(first, "confID"),
                                  "start_time": start, "end_time": end,
                                  # the record's days (MM/dd/yyyy), to scope a request
                                  "start_date": start.partition(" ")[0],
                                  "end_date": end.partition(" ")[0]})
        return {"access_anywhere_history": Observation(
            value, f"LstAccessAnywhereHistory: {total} record(s)")}
    if exception_id == NOT_FOUND:
        return {"access_anywhere_history": Observation(
            False, "LstAccessAnywhereHistory: 000015, no records")}
    return {}


def parse_lst_recording(body: etree._Element | None) -> dict[str, Observation]:
    found = _xp(body, "ep:recording/ep:recordingID") if body is not None else []
    key = (found[0].text or "").strip() if found else ""
    return {"recording": Observation(key, f"LstRecording: recording {key}")} if key else {}


_VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?)")


def parse_get_api_version(body: etree._Element | None) -> dict[str, Observation]:
    found = _xp(body, "ep:apiVersion") if body is not None else []
    match = _VERSION.search(found[0].text or "") if found else None
    if not match:
        return {}
    return {"api_version": Observation(match.group(1), f"GetAPIVersion {match.group(1)}")}


class _Answer(Protocol):  # conformance.response.Response, structurally
    body: etree._Element | None
    exception_id: str | None

    @property
    def ok(self) -> bool: ...


#: The discovery requests, in order: (API, body). GetUser asks for the configured account.
def discovery_requests(webex_id: str | None) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("GetAPIVersion", {}),
        ("GetUser", {"webExId": webex_id}),
        ("LstMeetingType", {"listControl": {"startFrom": 1, "maximumNum": 500}}),
        ("GetSite", {}),
        ("LstRecording", {"listControl": {"startFrom": 1, "maximumNum": 1}}),
        ("LstAccessAnywhereHistory", {"listControl": {"startFrom": 1, "maximumNum": 1}}),
    ]


PARSERS: Mapping[str, Callable[..., dict[str, Observation]]] = MappingProxyType({
    "GetAPIVersion": parse_get_api_version,
    "GetUser": parse_get_user,
    "LstMeetingType": parse_lst_meeting_type,
    "GetSite": parse_get_site,
    "LstRecording": parse_lst_recording,
    "LstAccessAnywhereHistory": parse_lst_access_anywhere_history,
})


def observe(answers: Mapping[str, _Answer]) -> dict[str, Observation]:
    """Discovery answers (API -> its parsed response) -> every observation. A FAILURE
    shows nothing (LstAccessAnywhereHistory's 000015 excepted: no records)."""
    out: dict[str, Observation] = {}
    for api, response in answers.items():
        parser = PARSERS.get(api)
        if parser is None:
            raise ValueError(f"no discovery parser for {api}")
        body = response.body if response.ok else None
        if api == "LstAccessAnywhereHistory":
            out.update(parser(body, None if response.ok else response.exception_id))
        else:
            out.update(parser(body))
    return out


# -- the capabilities of a run ------------------------------------------------------------
@dataclass(frozen=True)
class Known:
    """A capability's value and where it came from (``source``: a :data:`SOURCES` item)."""

    value: Any
    source: str
    evidence: str


class _Profile(Protocol):  # conformance.profile.SiteProfile, structurally
    def stated(self, key: str) -> Any: ...

    def where(self, key: str) -> str: ...


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple) and all(isinstance(v, MeetingTemplate) for v in value):
        return "[" + ", ".join(f"{t.name} ({t.service_type})" for t in value) + "]"
    return "none" if value is None else str(value)


@dataclass(frozen=True)
class Capabilities:
    """What the target has, for one run. Built by :func:`build_capabilities`."""

    known: Mapping[str, Known] = field(default_factory=lambda: MappingProxyType({}))
    has_control: bool = False
    findings: tuple[str, ...] = ()
    api_version: str | None = None

    # -- reading ---------------------------------------------------------------------------
    def get(self, name: str, default: Any = None) -> Any:
        known = self.known.get(name)
        return default if known is None else known.value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.has(name)

    def has(self, requirement: str | Requirement) -> bool:
        req = requirement if isinstance(requirement, Requirement) \
            else parse_requirement(requirement)
        entry = req.entry
        if self.has_control and _settable(entry):
            return True  # the runner sets it to the required value (control_settings)
        known = self.known.get(req.name)
        if known is None or known.value is None:
            return False
        if entry.kind in (FLAG, CHOICE) and req.value is not None:
            return known.value == req.value
        if entry.kind == TEMPLATES:
            return True  # stated (even as none): the expectation is known
        return bool(known.value)

    def unmet(self, requires: Iterable[str]) -> list[Requirement]:
        reqs = [parse_requirement(r) for r in requires]
        return [r for r in reqs if not self.has(r)]

    def skip_reason(self, requires: Iterable[str]) -> str | None:
        """None when every requirement holds; else the reason, naming each unmet one and
        what would meet it (a profile key, the control interface)."""
        unmet = self.unmet(requires)
        if not unmet:
            return None
        return "not applicable to this target: " + "; ".join(self._why(r) for r in unmet)

    def _why(self, req: Requirement) -> str:
        entry = req.entry
        known = self.known.get(req.name)
        if entry.kind in (FLAG, CHOICE) and req.value is not None:
            wanted = f"{entry.description} {_show(req.value)}"
            if known is not None and known.value is not None:
                return (f"needs {wanted}; the site has {_show(known.value)} "
                        f"({known.evidence})")
        else:
            wanted = entry.description
        if known is not None and known.value is not None:  # a present-but-false value
            return f"needs {wanted}; the site has none ({known.evidence})"
        if known is not None:  # the site's answer shows that it has none
            return f"needs {wanted}; the site has none ({known.evidence})"
        if entry.determined_by == (CONTROL,):
            if entry.name == "mock_control":
                return f"needs {wanted}"
            return (f"needs {wanted}, which only the mock's control interface can arrange "
                    f"(the XML API cannot)")
        ways = []
        if DISCOVERY in entry.determined_by or entry.discovery:
            ways.append("the site's answers do not show it")
        if entry.profile_key:
            ways.append(f"state it in the site profile ({entry.profile_key})")
        if CONTROL in entry.determined_by:
            ways.append("or use a mock with its control interface")
        if CONFIGURATION in entry.determined_by:
            ways.append("not configured")
        return f"needs {wanted}" + (": " + ", ".join(ways) if ways else "")

    def control_settings(self, requires: Iterable[str]) -> dict[str, Any]:
        """The mock settings that make ``requires`` hold, for a target with the control
        interface ({} otherwise): a flag's one setting at the required value, an arranged
        capability's settings. The runner sets them before the case (and restores them)."""
        if not self.has_control:
            return {}
        out: dict[str, Any] = {}
        for req in (parse_requirement(r) for r in requires):
            entry = req.entry
            if _settable(entry):
                if req.value is not None or entry.kind == FLAG:
                    out[entry.control_settings[0]] = True if req.value is None else req.value
            elif entry.control_arrange:
                for key, value in entry.control_arrange.items():
                    out[key] = _copy(value)
        return out

    def template_values(self) -> dict[str, Any]:
        """``${caps.NAME}`` values: each known capability (templates as names and by
        service), the API version, and findings."""
        out: dict[str, Any] = {}
        for name, known in self.known.items():
            value = known.value
            if value is None:
                continue
            if isinstance(value, MappingProxyType):
                value = dict(value)
            if REGISTRY[name].kind == TEMPLATES:
                items = [{"name": t.name, "service_type": t.service_type} for t in value]
                value = {"items": items, "names": [t.name for t in value],
                         "count": len(items),
                         "by_service": {s: [t.name for t in value if t.service_type == s]
                                        for s in SERVICE_TYPES}}
            out[name] = value
        if self.api_version:
            out["api_version"] = self.api_version
        if self.has_control:
            out["mock_control"] = True
        return out


def arranges_settings(requires: Iterable[str]) -> bool:
    """Whether a case with these ``requires`` has the control interface change site settings
    before it runs (what :meth:`Capabilities.control_settings` would set): such a case
    changes what every other case on a shared mock sees."""
    for req in (parse_requirement(r) for r in requires):
        entry = req.entry
        if (_settable(entry) and (req.value is not None or entry.kind == FLAG)) \
                or entry.control_arrange:
            return True
    return False


def _settable(entry: Capability) -> bool:
    """A site setting the control interface sets to the required value: a flag, or a
    choice with its one mock setting (cmr_hybrid_voip_placement)."""
    return entry.kind == FLAG or (entry.kind == CHOICE and len(entry.control_settings) == 1
                                  and CONTROL in entry.determined_by)


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _discovered(entry: Capability, obs: Observation | None, stated: Any, where: str,
                findings: list[str]) -> Known | None:
    """The discovery candidate, after comparing the site's answer with the profile (a
    disagreement is a finding; the site's answer wins)."""
    if obs is None:
        return None
    value, evidence = obs.value, obs.evidence
    if stated is not None and entry.kind == MEETING_TYPE:
        if stated in obs.accepts:  # the profile's choice, confirmed by the site
            return Known(stated, DISCOVERY, f"{evidence}; the choice of the site profile "
                                            f"{where}")
        if stated in obs.rejects or (obs.listed and stated not in obs.listed):
            why = "not listed" if stated not in obs.listed else "listed, not qualifying"
            findings.append(f"site profile {where} is {stated}, but "
                            f"{evidence} ({stated}: {why}); the site's answer is used "
                            f"({_show(value)})")
            return Known(value, DISCOVERY, evidence)
        return None  # the answer says neither: the profile's value stands
    if stated is not None and value is not None and _differs(entry, value, stated):
        used = ("the site's answer is used" if DISCOVERY in entry.determined_by
                else "the profile stays the expectation the cases check")
        findings.append(f"site profile {where} is {_show(stated)}, but {evidence}; {used}")
    if DISCOVERY not in entry.determined_by:
        return None  # compared only (meeting_templates)
    return Known(value, DISCOVERY, evidence)


def build_capabilities(observations: Mapping[str, Observation], profile: _Profile | None,
                       has_control: bool, configured: Mapping[str, Any] | None = None
                       ) -> Capabilities:
    """Combine the sources into the run's :class:`Capabilities` (a pure function).

    ``observations``: :func:`observe` of the discovery answers; ``profile``: the loaded
    site profile or None; ``has_control``: the target has the mock's control interface;
    ``configured``: capability name -> value for the configuration entries (second_user,
    jwt, access_token).

    Per entry, the first of its sources (``determined_by``) that has a value gives it; on
    a target with the control interface, an arrangeable entry takes the arranged value
    first. A discovered "none" (no private meeting type) is known as None: the cases that
    need one skip, naming the answer."""
    configured = dict(configured or {})
    for name in configured:
        entry = REGISTRY.get(name)
        if entry is None or CONFIGURATION not in entry.determined_by:
            raise ValueError(f"'{name}' is not a capability determined by configuration")
    for name in observations:
        if name != "api_version" and name not in REGISTRY:
            raise ValueError(f"observation of an unknown capability '{name}'")
    known: dict[str, Known] = {}
    findings: list[str] = []
    for entry in _ENTRIES:
        obs = observations.get(entry.name)
        if obs is not None and obs.problem:
            findings.append(f"discovery: {obs.problem}; {entry.name} taken as unknown")
            obs = None
        key = entry.profile_key
        stated = profile.stated(key) if profile is not None and key else None
        where = profile.where(key) if profile is not None and key else ""
        candidates: dict[str, Known] = {}
        discovered = _discovered(entry, obs, stated, where, findings)
        if discovered is not None:
            candidates[DISCOVERY] = discovered
        if stated is not None and not (discovered is not None and entry.kind == MEETING_TYPE
                                       and discovered.value != stated):
            candidates[PROFILE] = Known(stated, PROFILE, f"site profile {where}")
        if has_control and entry.arrangeable and entry.control_value is not None:
            candidates[CONTROL] = Known(entry.control_value, CONTROL,
                                        "arranged through the mock's control interface")
        if configured.get(entry.name):
            candidates[CONFIGURATION] = Known(configured[entry.name], CONFIGURATION,
                                              "configured for the run")
        order = entry.determined_by
        if has_control and entry.control_arrange:  # what the control interface arranges
            order = (CONTROL, *[s for s in order if s != CONTROL])
        for source in order:
            if source in candidates:
                known[entry.name] = candidates[source]
                break
    _not_the_e2ee_type(known, observations)
    version = observations.get("api_version")
    return Capabilities(known=MappingProxyType(known), has_control=has_control,
                        findings=tuple(findings),
                        api_version=version.value if version is not None else None)


def _not_the_e2ee_type(known: dict[str, Known], observations: Mapping[str, Observation]
                       ) -> None:
    """The standard meeting type is neither the site's private nor its E2EE type (as the
    profile states or discovery shows them; a type the control interface marks E2EE for one
    case does not count)."""
    std = known.get("standard_meeting_type")
    if std is None:
        return
    taken = {k.value for name in ("private_meeting_type", "e2ee_meeting_type")
             if (k := known.get(name)) is not None and k.source != CONTROL}
    if std.value not in taken:
        return
    seen = observations.get("standard_meeting_type")
    others = sorted((seen.accepts if seen else frozenset()) - taken)
    if others:
        known["standard_meeting_type"] = Known(others[0], std.source, f"{std.evidence}; "
                                               f"not {std.value}, the site's private or "
                                               f"E2EE type")
    else:
        del known["standard_meeting_type"]


def _differs(entry: Capability, seen: Any, stated: Any) -> bool:
    if entry.kind == TEMPLATES:
        return sorted((t.name, t.service_type) for t in seen) != \
            sorted((t.name, t.service_type) for t in stated)
    return seen != stated
