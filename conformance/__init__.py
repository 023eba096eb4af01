"""webex-conformance: a contract conformance suite for the Webex Meetings XML API."""

__version__ = "0.1.0"

from .cases import Case, load_case_file  # noqa: E402
from .envelope import Body, Credentials, build_message  # noqa: E402
from .errors import CaseDefinitionError, Nonconformance, TargetError  # noqa: E402
from .response import Message, Response, parse_message  # noqa: E402
from .runner import CaseResult, Verdict, run_case  # noqa: E402
from .target import TargetConfig, TargetSession  # noqa: E402

__all__ = ["Body", "Case", "CaseDefinitionError", "CaseResult", "Credentials", "Message",
           "Nonconformance", "Response", "TargetConfig", "TargetError", "TargetSession",
           "Verdict", "__version__", "build_message", "load_case_file", "parse_message",
           "run_case"]
