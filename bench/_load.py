"""A load client for the throughput benchmark, run as its own process so that it does not
share the server's interpreter lock.

``python bench/_load.py MODE BASE_URL PAYLOADS.json CLIENTS REQUESTS``; prints requests/s.
MODE: ``plain`` posts the first payload REQUESTS times in all; ``create-del`` posts
CreateMeeting, reads the meeting key from the answer (lxml) and posts DelMeeting: one
pair counts as one operation.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import requests
from lxml import etree

MEET = "http://www.webex.com/schemas/2002/06/service/meeting"


def main() -> None:
    mode, url, payload_file, clients, total = (sys.argv[1], sys.argv[2], sys.argv[3],
                                               int(sys.argv[4]), int(sys.argv[5]))
    with open(payload_file, encoding="utf-8") as fh:
        payloads = [p.encode("utf-8") for p in json.load(fh)]
    per_client = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    errors: list[str] = []
    barrier = threading.Barrier(clients + 1)
    headers = {"Content-Type": "text/xml;charset=UTF-8"}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

    def work(n: int) -> None:
        session = requests.Session()
        barrier.wait()
        for _ in range(n):
            resp = session.post(url, data=payloads[0], headers=headers, timeout=60)
            if resp.status_code != 200:
                errors.append(f"HTTP {resp.status_code}")
                continue
            if mode == "create-del":
                root = etree.fromstring(resp.content, parser)
                key = root.findtext(f".//{{{MEET}}}meetingkey")
                if not key:
                    errors.append("no meeting key")
                    continue
                resp = session.post(url, data=payloads[1].replace(b"KEY", key.encode()),
                                    headers=headers, timeout=60)
                if b"SUCCESS" not in resp.content:
                    errors.append("DelMeeting failed")

    threads = [threading.Thread(target=work, args=(n,)) for n in per_client]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        print(f"errors: {len(errors)} e.g. {errors[0]}", file=sys.stderr)
        sys.exit(1)
    print(f"{total / elapsed:.1f}")


if __name__ == "__main__":
    main()
