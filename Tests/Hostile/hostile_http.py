#!/usr/bin/env python3
"""Hostile HTTP input against a running `berrys run` (issue 12), for HostileHTTPTests.

    hostile_http.py PORT PID READ_TOKEN PUBLISH_TOKEN

Sends, over raw sockets: oversized headers and bodies, a slowloris crowd, invalid UTF-8 in
paths, queries and bodies, 10k-deep JSON, huge numbers, duplicate keys, SQL metacharacters in
every filter, tampered cursors, missing and wrong-scope tokens, contradictory framing. Pass:
no 5xx but the documented 503/504, every answer as expected, the server still answering, its
resident memory (VmRSS of PID) within 64 MiB of where it was after a warm-up round. Prints a
line per case; exits 1 on any failure.
"""
import json
import os
import socket
import sys
import threading
import time
import uuid

PORT, PID, READ, PUBLISH = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []


def rss_mib():
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def exchange(raw, timeout=10.0):
    """Sends raw bytes, returns (status or None when the server closed without answering, body)."""
    with socket.create_connection(("127.0.0.1", PORT), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may refuse before the request is all sent
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                head = b"".join(chunks)
                if b"\r\n\r\n" in head:
                    header, _, rest = head.partition(b"\r\n\r\n")
                    length = [l for l in header.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                    if length and len(rest) >= int(length[0].split(b":")[1]):
                        break
        except (ConnectionResetError, socket.timeout):
            pass
    data = b"".join(chunks)
    if not data.startswith(b"HTTP/1."):
        return None, b""
    return int(data.split(b" ", 2)[1]), data.partition(b"\r\n\r\n")[2]


def request(method, target, body=b"", headers=(), token=READ):
    lines = [f"{method} ".encode() + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    if token is not None:
        lines.append(b"Authorization: Bearer " + (token.encode() if isinstance(token, str) else token))
    if body or method == "POST":
        lines.append(b"Content-Length: " + str(len(body)).encode())
    lines += list(headers)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def check(name, raw, allowed, timeout=10.0):
    status, body = exchange(raw, timeout)
    ok = status in allowed
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {status} {body[:160]!r}")
    if not ok:
        failures.append(f"{name}: {status}, expected one of {sorted(s for s in allowed if s)}")
    return body


def envelope(data):
    """A structured-mode CloudEvent of type agent.created around `data` (JSON text or bytes)."""
    data = data.encode() if isinstance(data, str) else data
    return (b'{"specversion":"1.0","id":"hostile-%d","source":"hostile","type":"agent.created","dataversion":"1","data":'
            % time.monotonic_ns()) + data + b"}"


BAD_INPUT = {400, 404, 413, 422}
CE_JSON = [b"Content-Type: application/cloudevents+json"]
CLOSED = None  # the server hung up without answering (acceptable for framing it refuses)


def round_of_cases():
    check("no token", request("GET", b"/v1/agents", token=None), {401})
    check("garbage token", request("GET", b"/v1/agents", token="nope"), {401})
    check("10 KB token", request("GET", b"/v1/agents", token="x" * 10000), {401})
    check("read token publishing", request("POST", b"/v1/events", envelope("{}"), CE_JSON, token=READ), {403})
    check("publish token reading", request("GET", b"/v1/agents", token=PUBLISH), {200})
    check("token without Bearer", request("GET", b"/v1/agents", token=None, headers=[b"Authorization: " + READ.encode()]), {401})

    sql = [b"'%20OR%201=1--", b"%27%3B%20DROP%20TABLE%20read.agents%3B--", b"%5C%27", b"%25", b"%00", b"x%27)%20UNION%20SELECT%201--"]
    for value in sql:
        for name in [b"status", b"agent_type", b"project_id", b"specialization", b"q", b"limit", b"cursor"]:
            check(f"SQL metacharacters in {name.decode()}={value.decode()}", request("GET", b"/v1/agents?" + name + b"=" + value), BAD_INPUT | {200})
    check("read.agents still there", request("GET", b"/v1/agents?limit=1"), {200})
    check("limit 10^30", request("GET", b"/v1/agents?limit=1000000000000000000000000000000"), BAD_INPUT)
    check("limit -1", request("GET", b"/v1/agents?limit=-1"), BAD_INPUT)

    first = json.loads(check("a page", request("GET", b"/v1/agents?limit=1"), {200}))
    cursor = (first.get("next_cursor") or "YWJj").encode()
    for name, tampered in [("flipped", cursor[:-1] + (b"A" if cursor[-1:] != b"A" else b"B")), ("truncated", cursor[:2]),
                           ("not base64", b"%21%21%21"), ("10 KB", b"A" * 10000), ("invalid UTF-8 inside", b"_w"),
                           ("SQL inside", b"JyBPUiAxPTEtLQ")]:
        check(f"cursor {name}", request("GET", b"/v1/agents?limit=1&cursor=" + tampered), BAD_INPUT | {200})

    check("invalid UTF-8 in a path id", request("GET", b"/v1/agents/%FF%FE%FD"), BAD_INPUT)
    check("raw invalid UTF-8 in the path", request("GET", b"/v1/agents/\xff\xfe"), BAD_INPUT | {CLOSED})
    check("invalid UTF-8 in a query", request("GET", b"/v1/agents?q=%C3%28"), BAD_INPUT | {200})
    # A valid agent.created but for two bytes of its name: decoded lossily, it would be stored (201).
    example = open(os.path.join(ROOT, "schemas/agent.created/examples/v1.valid.json"), "rb").read().replace(b"\n", b" ")
    example = example.replace(b"7f2c1c9e-3b7a-4d2e-9a51-0c1f3e5b8a10", str(uuid.uuid4()).encode())
    invalid_utf8 = envelope(example.replace(b"Researcher One", b"Researcher \xff\xfe"))
    check("invalid UTF-8 in a body", request("POST", b"/v1/events", invalid_utf8, CE_JSON, token=PUBLISH), {400})
    check("the same body, valid", request("POST", b"/v1/events", envelope(example), CE_JSON, token=PUBLISH), {201})
    check("10k-deep JSON", request("POST", b"/v1/events", envelope("[" * 10000 + "]" * 10000), CE_JSON, token=PUBLISH), BAD_INPUT)
    check("10k-deep JSON envelope", request("POST", b"/v1/events", b"[" * 10000 + b"]" * 10000, CE_JSON, token=PUBLISH), BAD_INPUT)
    check("huge number", request("POST", b"/v1/events", envelope('{"agent_id":1e999999}'), CE_JSON, token=PUBLISH), BAD_INPUT)
    check("huge integer", request("POST", b"/v1/events", envelope('{"agent_id":' + "9" * 5000 + "}"), CE_JSON, token=PUBLISH), BAD_INPUT)
    check("duplicate keys", request("POST", b"/v1/events", b'{"specversion":"1.0","specversion":"0.3","id":"d","source":"s","type":"agent.created","dataversion":"1","data":{}}',
                                    CE_JSON, token=PUBLISH), BAD_INPUT)
    check("body over the limit (2 MiB)", request("POST", b"/v1/events", envelope('"' + "a" * (2 << 20) + '"'), CE_JSON, token=PUBLISH), {413, CLOSED})
    check("Content-Length larger than the body", request("POST", b"/v1/events", b"{}", CE_JSON, token=PUBLISH)
          .replace(b"Content-Length: 2", b"Content-Length: 99"), BAD_INPUT | {CLOSED}, timeout=3)
    check("negative Content-Length", b"POST /v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: -5\r\nAuthorization: Bearer "
          + PUBLISH.encode() + b"\r\n\r\n{}", BAD_INPUT | {CLOSED})
    check("Content-Length and chunked at once", b"POST /v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\n"
          b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\nAuthorization: Bearer " + PUBLISH.encode() + b"\r\n\r\n0\r\n\r\n", BAD_INPUT | {CLOSED})
    check("64 KiB header (under the parser's 80 KiB)", request("GET", b"/v1/agents", headers=[b"X-Big: " + b"a" * 65536]), {200, 400, 431, CLOSED})
    check("128 KiB header", request("GET", b"/v1/agents", headers=[b"X-Big: " + b"a" * 131072]), {400, 431, CLOSED})
    check("1000 headers", request("GET", b"/v1/agents", headers=[b"X-H%d: v" % i for i in range(1000)]), {200, 400, 431, CLOSED})
    check("8 KiB URL", request("GET", b"/v1/agents?q=" + b"a" * 8192), BAD_INPUT | {414, 431, CLOSED})
    check("not HTTP at all", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 100, {400, CLOSED})
    check("unknown method", request("BREW", b"/v1/agents"), {400, 404, 405, 501, CLOSED})


def slowloris(connections=64, seconds=8):
    """Many connections trickling a request: half its headers, half a publish's body (a byte
    every half second of 1000 announced); a normal request must still be served."""
    stop = time.monotonic() + seconds
    socks = []
    for index in range(connections):
        try:
            sock = socket.create_connection(("127.0.0.1", PORT), timeout=2)
            if index % 2 == 0:
                sock.sendall(b"GET /v1/agents HTTP/1.1\r\nHost: x\r\n")
            else:
                sock.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/cloudevents+json\r\n"
                             b"Authorization: Bearer " + PUBLISH.encode() + b"\r\nContent-Length: 1000\r\n\r\n{")
            socks.append((sock, b"X-a: b\r\n" if index % 2 == 0 else b" "))
        except OSError:
            break

    first_round = threading.Event()

    def trickle():
        while time.monotonic() < stop:
            for entry in list(socks):
                try:
                    entry[0].sendall(entry[1])
                except OSError:
                    socks.remove(entry)
            first_round.set()
            time.sleep(0.5)  # real time: a slowloris is slow on purpose

    worker = threading.Thread(target=trickle)
    worker.start()
    first_round.wait()
    began = time.monotonic()
    check(f"a request during a slowloris of {connections} connections (headers and bodies)", request("GET", b"/health/liveness", token=None), {200}, timeout=10)
    served = time.monotonic() - began
    # Not blocked behind the trickling connections (it would wait for them forever if it were);
    # generous, since the suite runs many tests at once on two cores.
    if served > 5:
        failures.append(f"slowloris: a request took {served:.1f} s")
    worker.join()
    for sock, _ in socks:
        sock.close()


round_of_cases()  # warm-up: pools, caches and the allocator
before = rss_mib()
for _ in range(3):
    round_of_cases()
slowloris()
after = rss_mib()
print(f"resident memory: {before:.1f} MiB after warm-up, {after:.1f} MiB after three more rounds and the slowloris")
if after - before > 64:
    failures.append(f"resident memory grew by {after - before:.1f} MiB")
check("still answering", request("GET", b"/health/liveness", token=None), {200})
if failures:
    print("\n".join(["", "FAILURES:"] + failures))
    sys.exit(1)
print("hostile HTTP: all cases passed")
