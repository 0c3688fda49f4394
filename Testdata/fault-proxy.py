#!/usr/bin/env python3
"""A loopback HTTP proxy in front of a test registry that injects faults, for Hoist's fault tests.

    fault-proxy.py LISTEN_PORT UPSTREAM_HOST:PORT RULES.json LOG

RULES.json (re-read on every request) is a list of rules; the first that matches a request and
has uses left is applied once:
  {"id": "a", "method": "GET", "path": "/blobs/", "times": 2, "action": ACTION, ...}
ACTION is one of
  "status"   answer STATUS (with "retry_after" seconds if given) without asking the registry
  "reset"    send the registry's answer but close the connection after half of the body
  "truncate" the same, a case kept apart for clarity in the tests' logs
  "flip"     flip one byte in the middle of the body
  "overlong" send the whole body under a Content-Length "extra" bytes (default 100) larger, then close
  "drop"     forward the request (the registry acts on it), then close without answering
  "delay"    wait "seconds" (default 0.025) before forwarding, as a registry across a network
             answers later (Benchmarks/graph.sh); give "times" a large number to delay every request
A rule with "range": true matches only requests that carry a Range header (a resume).
Every request is logged to LOG as "METHOD PATH RANGE -> what happened".
Standard library only; one connection per request (it answers with Connection: close).
"""
import asyncio, json, sys

LISTEN, UPSTREAM, RULES, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
used = {}


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


def pick(method, path, headers):
    try:
        with open(RULES) as f:
            rules = json.load(f)
    except (OSError, ValueError):
        rules = []
    for rule in rules:
        if rule.get("range") and "range" not in headers:
            continue
        if rule.get("method", method) == method and rule.get("path", "") in path:
            rid = rule.get("id", json.dumps(rule, sort_keys=True))
            if used.get(rid, 0) < rule.get("times", 1):
                used[rid] = used.get(rid, 0) + 1
                return rule
    return None


async def read_message(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return lines[0], head, headers


async def handle(client_reader, client_writer):
    try:
        # A TLS ClientHello (a client trying HTTPS first): refuse at once, as a plain-HTTP server would.
        first = await client_reader.read(1)
        if not first or first == b"\x16":
            return
        client_reader._buffer[0:0] = first
        start, head, headers = await read_message(client_reader)
        method, path = start.split(" ")[0], start.split(" ")[1]
        body = await client_reader.readexactly(int(headers.get("content-length", "0")))
        rule = pick(method, path, headers)
        what = rule["action"] if rule else "forwarded"
        if rule and rule["action"] == "status":
            status = rule["status"]
            extra = f"Retry-After: {rule['retry_after']}\r\n" if "retry_after" in rule else ""
            payload = json.dumps({"errors": [{"code": "TOOMANYREQUESTS" if status == 429 else "UNAVAILABLE", "message": "injected by fault-proxy"}]}).encode()
            client_writer.write(f"HTTP/1.1 {status} Injected\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n{extra}Connection: close\r\n\r\n".encode() + payload)
            log(f"{method} {path} {headers.get('range', '-')} -> {status}")
            await client_writer.drain()
            return
        if rule and rule["action"] == "delay":
            await asyncio.sleep(rule.get("seconds", 0.025))
        host, port = UPSTREAM.rsplit(":", 1)
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        request_lines = head.decode("latin-1").split("\r\n")
        request_lines = [l for l in request_lines if not l.lower().startswith("connection:")]
        request_lines.insert(1, "Connection: close")
        up_writer.write("\r\n".join(request_lines).encode("latin-1") + body)
        await up_writer.drain()
        response = await up_reader.read(-1)
        up_writer.close()
        split = response.find(b"\r\n\r\n") + 4
        rhead, rbody = response[:split], response[split:]
        if rule and rule["action"] in ("reset", "truncate") and len(rbody) > 1:
            client_writer.write(rhead + rbody[: len(rbody) // 2])
            await client_writer.drain()
            log(f"{method} {path} {headers.get('range', '-')} -> {what} after {len(rbody) // 2} of {len(rbody)} bytes")
            client_writer.transport.abort()
            return
        if rule and rule["action"] == "drop":
            log(f"{method} {path} {headers.get('range', '-')} -> drop after the registry answered {rhead.split(b' ')[1].decode()}")
            client_writer.transport.abort()
            return
        if rule and rule["action"] == "overlong":
            extra = rule.get("extra", 100)
            lines = [l for l in rhead.decode("latin-1").split("\r\n") if not l.lower().startswith("content-length:")]
            lines.insert(1, f"Content-Length: {len(rbody) + extra}")
            client_writer.write("\r\n".join(lines).encode("latin-1") + rbody)
            await client_writer.drain()
            log(f"{method} {path} {headers.get('range', '-')} -> overlong {len(rbody)} bytes declared as {len(rbody) + extra}")
            client_writer.transport.abort()
            return
        if rule and rule["action"] == "flip" and rbody:
            middle = len(rbody) // 2
            rbody = rbody[:middle] + bytes([rbody[middle] ^ 0xFF]) + rbody[middle + 1:]
        client_writer.write(rhead + rbody)
        log(f"{method} {path} {headers.get('range', '-')} -> {what} {rhead.split(b' ')[1].decode()}")
        await client_writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        try:
            client_writer.close()
        except Exception:
            pass


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", LISTEN)
    async with server:
        await server.serve_forever()


asyncio.run(main())
