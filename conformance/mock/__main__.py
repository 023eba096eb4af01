"""``python -m conformance.mock --port 8080``: the mock on its own, on 127.0.0.1."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .faults import FAULTS, check_names
from .server import start_mock
from .state import DEFAULT_ADMIN, DEFAULT_HOST, DEFAULT_SITE, Site


def fault_names(values: list[str] | None) -> list[str]:
    """``--faults a,b --fault c`` -> ``[a, b, c]``."""
    return [n.strip() for v in values or [] for n in v.split(",") if n.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.mock",
                                     description="Serve the simulated Webex site on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8080, help="TCP port (0: any free port)")
    parser.add_argument("--site-name", default=DEFAULT_SITE)
    parser.add_argument("--faults", action="append", default=[], metavar="A,B",
                        help="inject these faults (comma-separated, as the suite's "
                             "--conformance-faults); --list-faults lists them")
    parser.add_argument("--fault", action="append", dest="faults", metavar="NAME",
                        help=argparse.SUPPRESS)  # the old spelling, one fault each
    parser.add_argument("--list-faults", action="store_true")
    parser.add_argument("--no-control", action="store_true",
                        help="no /_mock control interface (act like a real site)")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds of delay added to each XML API request")
    parser.add_argument("--site-profile", metavar="FILE",
                        help="start as the site a site profile describes (its settings, "
                             "E2EE type, templates): examples/site-profile.yaml")
    parser.add_argument("--record", metavar="DIR", default=None,
                        help="append every XML API answer to DIR/answers-<pid>.jsonl "
                             "(default: $WEBEX_MOCK_RECORD)")
    args = parser.parse_args(argv)
    if args.list_faults:
        for name, fault in sorted(FAULTS.items()):
            print(f"{name:45} {fault.requirement:34} {fault.kind:8} {fault.description}")
        return 0
    faults = fault_names(args.faults)
    try:
        check_names(faults)
    except ValueError as exc:
        parser.error(str(exc))
    site = Site(args.site_name)
    site.set_faults(faults)
    if args.site_profile:
        from ..errors import CaseDefinitionError
        from ..profile import load_profile, mock_settings
        try:
            profile = load_profile(args.site_profile, site_name=site.name)
        except CaseDefinitionError as exc:
            parser.error(str(exc))
        site.settings.update(mock_settings(profile))
    try:
        server = start_mock(site, port=args.port, control=not args.no_control,
                            latency=args.latency, record=args.record)
    except OSError as exc:
        print(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"mock Webex site '{site.name}' at {server.url}", flush=True)
    print(f"  admin: {DEFAULT_ADMIN[0]}  host: {DEFAULT_HOST[0]}  (passwords: see README)")
    print(f"  control: {'off' if args.no_control else server.control_url}", flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
