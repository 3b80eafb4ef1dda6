#!/usr/bin/env python3
"""Helpers for bench/run.sh: free ports, seeding, pre-signed webhook pools, the table.

Standard library only (Debian's python3 is enough). Subcommands:

  free-port                      print a free TCP port on 127.0.0.1
  seed PORT SECRET COUNT         POST COUNT signed stream.online notifications
                                 (bench0..bench{COUNT-1}) and check they were applied
  gen PREFIX PORT SECRET ...     write pre-signed webhook requests for wrk (webhook.lua)
  sweep PORT                     GET /events?limit=1..1000 on one connection, each
                                 answer checked against the newest of limit=1000
  table RESULTS                  print the result table; exit 1 if anything failed
"""

import argparse
import datetime as dt
import hashlib
import hmac
import http.client
import json
import multiprocessing
import os
import signal
import socket
import sys

# Seeded streamers: login bench<k>, broadcaster id USER_ID_BASE + k.
USER_ID_BASE = 100000


def free_port():
    # Bind to port 0 and let the kernel choose; the tiny race until the user binds it
    # is acceptable for a benchmark on a quiet machine.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rfc3339(t):
    """Twitch's form: UTC, nanosecond digits, Z."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def online_body(user_id, login, stream_id, started_at):
    # The shape Twitch sends (and tests/e2e/e2e_support.hpp builds), ~520 bytes.
    return (
        '{"subscription":{"id":"sub-on-%s","type":"stream.online","version":"1",'
        '"status":"enabled","cost":0,"condition":{"broadcaster_user_id":"%s"},'
        '"transport":{"method":"webhook","callback":"https://example.com/webhooks/eventsub"},'
        '"created_at":"2024-01-01T00:00:00Z"},"event":{"id":"%s","broadcaster_user_id":"%s",'
        '"broadcaster_user_login":"%s","broadcaster_user_name":"%s","type":"live",'
        '"started_at":"%s"}}' % (user_id, user_id, stream_id, user_id, login, login.capitalize(),
                                 started_at))


def offline_body(user_id, login):
    return (
        '{"subscription":{"id":"sub-off-%s","type":"stream.offline","version":"1",'
        '"status":"enabled","cost":0,"condition":{"broadcaster_user_id":"%s"},'
        '"transport":{"method":"webhook","callback":"https://example.com/webhooks/eventsub"},'
        '"created_at":"2024-01-01T00:00:00Z"},"event":{"broadcaster_user_id":"%s",'
        '"broadcaster_user_login":"%s","broadcaster_user_name":"%s"}}'
        % (user_id, user_id, user_id, login, login.capitalize()))


class Signer:
    """HMAC-SHA256 with the keyed inner/outer states computed once (RFC 2104).

    Copying two prepared hash states is ~2x faster than hmac.digest() per message,
    which matters for pools of a million requests.
    """

    def __init__(self, secret):
        key = secret if len(secret) <= 64 else hashlib.sha256(secret).digest()
        key = key.ljust(64, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def hexdigest(self, message):
        inner = self.inner.copy()
        inner.update(message)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def signed_headers(secret, msg_id, timestamp, body, sub_type):
    mac = hmac.digest(secret, (msg_id + timestamp).encode() + body, "sha256")
    return [
        ("Content-Type", "application/json"),
        ("User-Agent", "Twitch-Eventsub-Webhooks/1.0"),
        ("Twitch-Eventsub-Message-Id", msg_id),
        ("Twitch-Eventsub-Message-Retry", "0"),
        ("Twitch-Eventsub-Message-Type", "notification"),
        ("Twitch-Eventsub-Message-Signature", "sha256=" + mac.hex()),
        ("Twitch-Eventsub-Message-Timestamp", timestamp),
        ("Twitch-Eventsub-Subscription-Type", sub_type),
        ("Twitch-Eventsub-Subscription-Version", "1"),
    ]


def get_json(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise SystemExit("GET %s: %d %s" % (path, r.status, data[:200]))
    return json.loads(data)


def seed(args):
    """Makes COUNT streamers live through the real webhook (signature, window, dedupe)."""
    secret = args.secret.encode()
    run = os.urandom(4).hex()
    started = rfc3339(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    for k in range(args.count):
        uid, login = str(USER_ID_BASE + k), "bench%d" % k
        body = online_body(uid, login, "seed-%s-%d" % (run, k), started).encode()
        msg_id = "seed-%s-%d" % (run, k)
        now = rfc3339(dt.datetime.now(dt.timezone.utc))
        conn.request("POST", "/webhooks/eventsub", body,
                     dict(signed_headers(secret, msg_id, now, body, "stream.online")))
        r = conn.getresponse()
        answer = r.read()
        if r.status != 200 or json.loads(answer) != {"status": "success"}:
            raise SystemExit("seed %s: %d %s" % (login, r.status, answer[:200]))
    # What the read scenarios rely on: every seeded status live, events list full.
    live = get_json(conn, "/streams/live")["count"]
    events = len(get_json(conn, "/events?limit=1000")["events"])
    if live < args.count or events != min(args.count, 1000):
        raise SystemExit("seed: expected %d live / %d events, found %d / %d"
                         % (args.count, min(args.count, 1000), live, events))
    print("seeded %d streamers: %d live statuses, %d events" % (args.count, live, events))


def sweep(args):
    """Asks for every /events limit once (issue 14: each used to get its own cached body)."""
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)

    def get(limit):
        conn.request("GET", "/events?limit=%d" % limit)
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise SystemExit("sweep: limit=%d: %d %s" % (limit, r.status, data[:200]))
        return data

    full = get(1000)
    count = len(json.loads(full)["events"])
    for limit in range(1, 1001):
        body = get(limit)
        # The newest min(limit, count) events of the full list, cut at an event boundary.
        cut = len(body) - 2
        boundary = b"]" if limit >= count else b","
        if body[cut:] != b"]}" or body[:cut] != full[:cut] or full[cut:cut + 1] != boundary:
            raise SystemExit("sweep: limit=%d is not the newest %d events" % (limit, limit))
    print("swept /events?limit=1..1000 (%d events kept)" % count)


def gen_file(job):
    """Writes one wrk thread's pool: records of an 8-digit length and a raw request.

    Thread `tid` of `threads` owns the seeded streamers k with k % threads == tid, so
    two wrk threads never race on one streamer. Its requests cycle over them: the first
    round is a stream.online with a new stream id (applied whatever the streamer's state
    after seeding or the warm-up), then offline, online, ... alternate. Twitch times
    (offline: the message timestamp; online: started_at) grow by 1 us per request, so
    every request is a real, in-order transition: "success", never duplicate/outdated,
    as long as a streamer's previous request (len(own) requests earlier) was answered.
    """
    (path, port, secret, tag, tid, threads, count, streamers, base_us) = job
    signer = Signer(secret.encode())
    own = list(range(tid, streamers, threads))
    # One template per request: this loop runs ~1M times, so it avoids per-field work.
    head = ("POST /webhooks/eventsub HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
            "Content-Type: application/json\r\nUser-Agent: Twitch-Eventsub-Webhooks/1.0\r\n"
            "Twitch-Eventsub-Message-Id: %%s\r\nTwitch-Eventsub-Message-Retry: 0\r\n"
            "Twitch-Eventsub-Message-Type: notification\r\n"
            "Twitch-Eventsub-Message-Signature: sha256=%%s\r\n"
            "Twitch-Eventsub-Message-Timestamp: %%s\r\n"
            "Twitch-Eventsub-Subscription-Type: %%s\r\n"
            "Twitch-Eventsub-Subscription-Version: 1\r\nContent-Length: %%d\r\n\r\n" % port)
    second, second_text = None, ""
    with open(path, "wb", buffering=1 << 20) as out:
        for i in range(count):
            k = own[i % len(own)]
            uid, login = str(USER_ID_BASE + k), "bench%d" % k
            us = base_us + i
            if us // 1000000 != second:
                second = us // 1000000
                second_text = dt.datetime.fromtimestamp(second, dt.timezone.utc).strftime(
                    "%Y-%m-%dT%H:%M:%S")
            ts = "%s.%06d000Z" % (second_text, us % 1000000)
            msg_id = "bench-%s-%d-%d" % (tag, tid, i)  # distinct across pools and threads
            if (i // len(own)) % 2 == 0:
                sub = "stream.online"
                body = online_body(uid, login, "s-%s-%d-%d" % (tag, tid, i), ts)
            else:
                sub = "stream.offline"
                body = offline_body(uid, login)
            body = body.encode()
            mac = signer.hexdigest((msg_id + ts).encode() + body)
            req = (head % (msg_id, mac, ts, sub, len(body))).encode() + body
            out.write(b"%08d" % len(req))
            out.write(req)
    return path


def gen(args):
    # Timestamps must be within the server's 10-minute window when sent: the pool is
    # written right before its run and dated args.age seconds in the past.
    now = dt.datetime.now(dt.timezone.utc)
    base_us = int((now - dt.timedelta(seconds=args.age)).timestamp() * 1e6)
    per_thread = -(-args.count // args.threads)
    jobs = [("%s-%d.req" % (args.prefix, t), args.port, args.secret,
             args.tag, t, args.threads, per_thread, args.streamers, base_us)
            for t in range(args.threads)]
    # One process per wrk thread: HMAC and formatting of ~1M requests take seconds.
    with multiprocessing.Pool(min(args.threads, os.cpu_count() or 1)) as pool:
        # SIGTERM (run.sh cleaning up) as an exception here, in the parent only: leaving
        # the `with` then terminates the workers too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        pool.map(gen_file, jobs)


# ---------------------------------------------------------------------------- table

def fmt_ms(us):
    return "%.2f ms" % (us / 1000.0)


def table(args):
    rows = []
    with open(args.results) as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    ref = {r["scenario"]: r for r in rows if r.get("mode") == "nginx"}
    nginx_rps = ref.get("reference", {}).get("rps")
    failed = []
    header = ("scenario", "mode", "req/s", "p50", "p99", "non-2xx", "sock err", "vs nginx",
              "server CPU", "wrk CPU", "other CPU", "notes")
    out = [header]
    for r in rows:
        if r["kind"] != "wrk":
            continue
        sock = r["connect"] + r["read"] + r["write"] + r["timeout"]
        notes = []
        if "success" in r:
            notes.append("applied %d, duplicate %d, outdated %d, other %d"
                         % (r["success"], r["duplicate"], r["outdated"], r["other"]))
            if r.get("exhausted"):
                notes.append("POOL EXHAUSTED %dx (ids repeated)" % r["exhausted"])
        ratio = ("%.2f" % (r["rps"] / nginx_rps)) if nginx_rps and r["mode"] != "nginx" else "-"
        if r.get("other_cpu", 0) >= 10:
            notes.append("OTHER LOAD on the machine: numbers low")
        out.append((r["scenario"], r["mode"], "{:,.0f}".format(r["rps"]), fmt_ms(r["p50_us"]),
                    fmt_ms(r["p99_us"]), str(r["non2xx"]), str(sock), ratio,
                    "%d%%" % r.get("server_cpu", 0), "%d%%" % r.get("wrk_cpu", 0),
                    "%d%%" % r.get("other_cpu", 0), "; ".join(notes)))
        not_applied = r.get("duplicate", 0) + r.get("outdated", 0) + r.get("other", 0)
        if r["non2xx"] or sock or not_applied or r["requests"] == 0:
            failed.append("%s/%s: %d non-2xx, %d socket errors, %d not applied, %d requests"
                          % (r["scenario"], r["mode"], r["non2xx"], sock, not_applied,
                             r["requests"]))
    widths = [max(len(row[i]) for row in out) for i in range(len(header))]
    for n, row in enumerate(out if len(out) > 1 else []):
        print("  ".join(c.ljust(w) if i in (0, 1, len(header) - 1) else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))

    other = [r for r in rows if r["kind"] != "wrk"]
    if other:
        if len(out) > 1:
            print()
        for r in other:
            print("%-58s %s" % (r["label"], r["value"]))
    if failed:
        print("\nFAILED:\n  " + "\n  ".join(failed))
        return 1
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("free-port")
    s = sub.add_parser("seed")
    s.add_argument("port", type=int)
    s.add_argument("secret")
    s.add_argument("count", type=int)
    w = sub.add_parser("sweep")
    w.add_argument("port", type=int)
    g = sub.add_parser("gen")
    g.add_argument("prefix", help="writes PREFIX-<wrk thread>.req")
    g.add_argument("port", type=int)
    g.add_argument("secret")
    g.add_argument("--tag", required=True, help="distinguishes pools (message ids)")
    g.add_argument("--threads", type=int, required=True, help="wrk threads (-t)")
    g.add_argument("--count", type=int, required=True, help="requests in all")
    g.add_argument("--streamers", type=int, required=True, help="seeded streamers")
    g.add_argument("--age", type=float, required=True, help="seconds in the past")
    t = sub.add_parser("table")
    t.add_argument("results")
    args = p.parse_args()
    if args.cmd == "free-port":
        print(free_port())
    elif args.cmd == "seed":
        seed(args)
    elif args.cmd == "sweep":
        sweep(args)
    elif args.cmd == "gen":
        gen(args)
    elif args.cmd == "table":
        sys.exit(table(args))


if __name__ == "__main__":
    main()
