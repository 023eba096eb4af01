"""The floor: send recorded exchanges again with a bare ``requests.Session`` loop.

``python bench/_replay.py EXCHANGES.json BASE_URL``; prints the loop's own seconds.
"""

from __future__ import annotations

import base64
import json
import sys
import time

import requests


def main() -> None:
    path, base = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as fh:
        exchanges = json.load(fh)
    session = requests.Session()
    start = time.perf_counter()
    for ex in exchanges:
        url = base + ex["path"] + (("?" + ex["query"]) if ex["query"] else "")
        resp = session.request(ex["method"], url, data=base64.b64decode(ex["body"]),
                               headers=ex["headers"], timeout=60)
        _ = resp.content  # read the answer, as the runner does
    print(f"{time.perf_counter() - start:.6f}")


if __name__ == "__main__":
    main()
