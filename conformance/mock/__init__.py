"""The mock: a stateful simulation of a Webex site, served over real HTTP on loopback."""

from .app import MockApp
from .faults import FAULTS, Fault, faults_for
from .server import MockServer, start_mock
from .state import (
    DEFAULT_ACCESS_TOKEN,
    DEFAULT_ADMIN,
    DEFAULT_HOST,
    DEFAULT_JWT,
    DEFAULT_SITE,
    Site,
)

__all__ = ["DEFAULT_ACCESS_TOKEN", "DEFAULT_ADMIN", "DEFAULT_HOST", "DEFAULT_JWT",
           "DEFAULT_SITE", "FAULTS", "Fault", "MockApp", "MockServer", "Site", "faults_for", "start_mock"]
