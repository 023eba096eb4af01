"""Replay a saved fuzz failure (``reports/fuzz/<file>.xml``) against the mock or a site.

    python -m conformance.replay reports/fuzz/<file>.xml [--url URL] [--faults A,B]

Saved envelopes never contain the password: the securityContext is filled in here from
the environment (``WEBEX_SITE_NAME``, ``WEBEX_ID``, ``WEBEX_PASSWORD``; URL from ``--url`` or
``WEBEX_XMLAPI_URL``), or with the mock's own account when no URL is given (a fresh
embedded mock, optionally with ``--faults``). Keys of objects a saved multi-step example had
created (a meeting key...) do not exist on a fresh target: the answer then says so.
Exit codes: 0 answered (SUCCESS or FAILURE, printed), 4 usage error, 6 could not ask.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lxml import etree

from .errors import ConformanceError, TargetError
from .exitcodes import EXIT_INFRA, EXIT_OK, EXIT_USAGE
from .redact import MASK, Redactor, redact_url, url_secrets
from .response import parse_message
from .transport import Transport, charset
from .xmlsafe import parse_xml


def fill_credentials(data: bytes, *, site_name: str, webex_id: str, password: str) -> bytes:
    """``data`` with the securityContext's siteName, webExID and password set (a masked
    password anywhere else stays masked), in the envelope's own encoding."""
    try:
        root = parse_xml(data)
    except TargetError as exc:  # the saved file, not the target: a usage error
        raise ValueError(f"not a replayable envelope: {exc}") from None
    tree = root.getroottree()
    encoding = tree.docinfo.encoding or "UTF-8"
    sec = root.find("header/securityContext")
    if sec is None:
        header = root.find("header")
        if header is None:
            header = etree.Element("header")
            root.insert(0, header)
        sec = etree.SubElement(header, "securityContext")
    for name in ("webExID", "password", "siteName"):
        el = sec.find(name)
        if el is None:
            el = etree.SubElement(sec, name)
    order = {"webExID": 0, "password": 1, "siteName": 2}
    children = sorted(list(sec), key=lambda e: order.get(str(e.tag), 3))
    for child in list(sec):
        sec.remove(child)
    for child in children:
        sec.append(child)
    sec.find("webExID").text = webex_id  # type: ignore[union-attr]
    sec.find("password").text = password  # type: ignore[union-attr]
    sec.find("siteName").text = site_name  # type: ignore[union-attr]
    return etree.tostring(root, xml_declaration=True, encoding=encoding)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.replay",
                                     description="Replay a saved fuzz envelope.")
    parser.add_argument("file", help="reports/fuzz/<file>.xml")
    parser.add_argument("--url", default=os.environ.get("WEBEX_XMLAPI_URL"),
                        help="site endpoint (default: a fresh embedded mock) "
                             "[env WEBEX_XMLAPI_URL]")
    parser.add_argument("--faults", action="append", default=[], metavar="A,B",
                        help="mock faults to inject, comma-separated (embedded mock only; "
                             "as the suite's --conformance-faults)")
    parser.add_argument("--fault", action="append", dest="faults", metavar="NAME",
                        help=argparse.SUPPRESS)  # the old spelling, one fault each
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    args.fault = [n.strip() for v in args.faults for n in v.split(",") if n.strip()]
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    mock = None
    try:
        if args.url:
            site, user, password = (os.environ.get("WEBEX_SITE_NAME"), os.environ.get("WEBEX_ID"),
                                    os.environ.get("WEBEX_PASSWORD"))
            missing = [n for n, v in (("WEBEX_SITE_NAME", site), ("WEBEX_ID", user),
                                      ("WEBEX_PASSWORD", password)) if not v]
            if missing:
                print(f"error: replaying against {redact_url(args.url)} needs {', '.join(missing)} in "
                      f"the environment", file=sys.stderr)
                return EXIT_USAGE
            if args.fault:
                print("error: --faults needs the embedded mock (no --url)", file=sys.stderr)
                return EXIT_USAGE
            url = args.url
        else:
            from .mock import DEFAULT_ADMIN, Site, start_mock
            from .mock.faults import check_names
            check_names(args.fault)
            mock_site = Site()
            mock_site.set_faults(args.fault)
            mock = start_mock(mock_site)
            url, site = mock.url, mock_site.name
            user, password = DEFAULT_ADMIN
        payload = fill_credentials(data, site_name=str(site), webex_id=str(user),
                                   password=str(password))
        redactor = Redactor([password, *url_secrets(url).values()])
        transport = Transport(url, timeout=(5.0, args.timeout), retries=0)
        try:
            ex = transport.post(payload, idempotent=False)
        finally:
            transport.close()
        print(f"request to {redact_url(url)} (secrets masked):")
        print(redactor.text(payload))
        print(f"response: HTTP {ex.status}, {round(ex.elapsed * 1000, 1)} ms")
        print(redactor.text(ex.response))
        try:
            message = parse_message(ex.response, charset=charset(ex.response_headers))
            for index, resp in enumerate(message.responses, 1):
                print(f"answer {index}: {resp.summary()}"
                      + (f" value={resp.value}" if resp.value else ""))
        except TargetError as exc:
            print(f"the answer is not a serv:message: {exc}")
        return EXIT_OK
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TargetError as exc:
        print(f"error: could not ask the target: {exc}", file=sys.stderr)
        return EXIT_INFRA
    except ConformanceError as exc:
        print(f"error: {path} is not a replayable envelope: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if mock is not None:
            mock.stop()


assert MASK  # the saved files carry this mask where secrets were

if __name__ == "__main__":
    sys.exit(main())
