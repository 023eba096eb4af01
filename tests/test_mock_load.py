"""The mock under load: 8 concurrent clients, a bounded number of requests each: no 5xx and
no non-XML answer, no lost or duplicated objects, and a consistent state afterwards."""

from __future__ import annotations

import threading
from collections import Counter

from conformance.envelope import Body, Credentials, build_message
from conformance.mock import DEFAULT_ADMIN, DEFAULT_SITE, start_mock
from conformance.transport import Transport

CLIENTS = 8
ROUNDS = 12
KEEP_EVERY = 3  # every third meeting and contact is kept, the rest deleted


def _meeting(name: str) -> dict:
    return {"metaData": {"confName": name, "meetingType": 3},
            "schedule": {"startDate": "12/01/2030 10:00:00", "timeZoneID": 4, "duration": 30}}


def test_eight_concurrent_clients() -> None:
    mock = start_mock()
    before = mock.site.counts()
    admin = Credentials(DEFAULT_SITE, *DEFAULT_ADMIN)
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    kept: dict[str, list[str]] = {"meetings": [], "contacts": []}
    created_keys: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(n: int) -> None:
        transport = Transport(mock.url, timeout=(5.0, 30.0), retries=0)
        start.wait()
        try:
            for i in range(ROUNDS):
                name = f"wxcload0{n}{i:03d}"
                calls = [("CreateMeeting", _meeting(name + " meeting")),
                         ("CreateContact", {"contact": {"name": name + " contact",
                                                        "email": f"{name}@example.com"}})]
                keys = {}
                for api, payload in calls:
                    ex, message = transport.call(build_message(admin, [Body(api, payload)]),
                                                 idempotent=False)
                    with lock:
                        statuses[ex.status or 0] += 1
                    if not message.first.ok:
                        failures.append(f"{api} {name}: {message.first.summary()}")
                        continue
                    keys[api] = (message.first.text("meet:meetingkey")
                                 or message.first.text("ep:contactID") or "").strip()
                with lock:
                    created_keys.extend(keys.values())
                # read back while others write
                ex, message = transport.call(build_message(admin, [Body(
                    "GetMeeting", {"meetingKey": keys.get("CreateMeeting")})]), idempotent=True)
                with lock:
                    statuses[ex.status or 0] += 1
                if message.first.text("meet:metaData/meet:confName") != name + " meeting":
                    failures.append(f"GetMeeting {name}: {message.first.summary()}")
                if i % KEEP_EVERY == 0:
                    with lock:
                        kept["meetings"].append(keys["CreateMeeting"])
                        kept["contacts"].append(keys["CreateContact"])
                    continue
                for api, payload in (("DelMeeting", {"meetingKey": keys["CreateMeeting"]}),
                                     ("DelContacts", {"contactID": keys["CreateContact"]})):
                    ex, message = transport.call(build_message(admin, [Body(api, payload)]),
                                                 idempotent=False)
                    with lock:
                        statuses[ex.status or 0] += 1
                    if not message.first.ok:
                        failures.append(f"{api} {name}: {message.first.summary()}")
        except Exception as exc:  # collected, asserted below
            failures.append(f"client {n}: {exc!r}")
        finally:
            transport.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads)
        assert failures == []
        assert set(statuses) == {200}
        assert sum(statuses.values()) == CLIENTS * ROUNDS * 3 + CLIENTS * (
            ROUNDS - len(range(0, ROUNDS, KEEP_EVERY))) * 2
        # no duplicated keys, nothing lost: exactly the kept objects are left
        assert len(created_keys) == len(set(created_keys)) == CLIENTS * ROUNDS * 2
        after = mock.site.counts()
        per_client = len(range(0, ROUNDS, KEEP_EVERY))
        assert after["meetings"] == before["meetings"] + CLIENTS * per_client
        assert after["contacts"] == before["contacts"] + CLIENTS * per_client
        left = mock.site.objects_with_prefix("wxcload")
        assert sorted(left["meetings"]) == sorted(kept["meetings"])
        assert sorted(r.split(":")[1] for r in left["records"]) == sorted(kept["contacts"])
        # and the state still answers consistently
        transport = Transport(mock.url, retries=0)
        _, message = transport.call(build_message(admin, [Body("LstsummaryMeeting", {
            "listControl": {"startFrom": 1, "maximumNum": 500}})]), idempotent=True)
        transport.close()
        listed = [k.strip() for k in message.first.xpath("meet:meeting/meet:meetingKey/text()")]
        assert sorted(listed) == sorted(kept["meetings"])
    finally:
        mock.stop()
