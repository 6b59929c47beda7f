#!/usr/bin/env python3
"""framewire health agent: runs beside NGINX, polls each framewire host's /healthz, and takes a
host that stops answering out of the upstream (and puts it back once it answers again).

NGINX open source has no active health checks, and its passive ones are off (max_fails=0, see
nginx/upstreams.conf.example). A host that hangs (SIGSTOP, GC death spiral, frozen VM) still has a
kernel that accepts TCP connections, so NGINX would keep hashing new upgrades onto it and wait
proxy_read_timeout for an answer each time. This agent marks such a host `down` in upstreams.conf
and reloads NGINX: new upgrades go straight to the next host of the hash ring (`down` keeps the
ring's points, so no other stream moves). Established WebSockets to the hung host are not cut by
the reload (no worker_shutdown_timeout: it would also cut every healthy stream held by the old
workers), and NGINX's proxy_read_timeout does not cut them while the camera keeps sending (NGINX
re-arms it on traffic in either direction, and the hung host's kernel keeps accepting bytes until
megabytes of socket buffers fill). So once a host has missed --kill-after polls in a row, the
agent destroys this machine's TCP connections to it (`ss -K dst ADDR`, CAP_NET_ADMIN): NGINX sees
the upstream fail and closes the camera's side, and the camera reconnects to the next host.
--kill-after is larger than --fall so a host that is only slow for a moment loses no stream.

The agent's only edit is the ` down` flag on the `server ADDR ...;` lines of the upstream file,
which it re-reads every round, so the file stays Ansible's (or nginx/render.sh's). It never marks
every host down: when all miss at once the fault is more likely on this side.

Python 3 standard library only (Debian's python3 is on every NGINX host Ansible manages).
"""
import argparse
import concurrent.futures
import http.client
import logging
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

SERVER_LINE = re.compile(r"^(?P<indent>\s*)server\s+(?P<addr>\S+?)(?P<opts>(?:\s+[^;\s]+)*)\s*;(?P<tail>.*)$")

log = logging.getLogger("framewire-health-agent")


def parse_servers(text):
    """The upstream's servers in order: [(address, marked_down)]."""
    out = []
    for line in text.splitlines():
        m = SERVER_LINE.match(line)
        if m:
            out.append((m.group("addr"), "down" in m.group("opts").split()))
    return out


def set_down(text, down):
    """The same file with ` down` on exactly the server lines whose address is in `down`."""
    lines = []
    for line in text.splitlines(keepends=True):
        m = SERVER_LINE.match(line.rstrip("\n"))
        if m:
            opts = [o for o in m.group("opts").split() if o != "down"]
            if m.group("addr") in down:
                opts.append("down")
            line = "%sserver %s%s;%s%s" % (m.group("indent"), m.group("addr"),
                                           "".join(" " + o for o in opts), m.group("tail"),
                                           "\n" if line.endswith("\n") else "")
        lines.append(line)
    return "".join(lines)


class Tracker:
    """One host's verdict: down after `fall` missed polls in a row, up after `rise` answered ones."""

    def __init__(self, fall, rise, up=True):
        self.fall, self.rise, self.up = fall, rise, up
        self.misses = self.answers = 0

    def observe(self, ok):
        """Records one poll; returns True when the verdict changed."""
        if ok:
            self.answers, self.misses = self.answers + 1, 0
            if not self.up and self.answers >= self.rise:
                self.up = True
                return True
        else:
            self.misses, self.answers = self.misses + 1, 0
            if self.up and self.misses >= self.fall:
                self.up = False
                return True
        return False


def hosts_to_mark_down(trackers):
    """Hosts judged down, unless that is every host: then none (never empty the ring from here)."""
    down = {addr for addr, t in trackers.items() if not t.up}
    if down and len(down) == len(trackers):
        return set()
    return down


def poll(addr, path, timeout):
    """True when http://addr/path answers 2xx within `timeout` seconds (connect + answer)."""
    host, _, port = addr.rpartition(":")
    conn = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        return 200 <= conn.getresponse().status < 300
    except (OSError, http.client.HTTPException, ValueError):
        return False
    finally:
        conn.close()


def write_atomically(path, text):
    d = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777 if os.path.exists(path) else 0o644
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".upstreams.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class Agent:
    def __init__(self, upstreams, reload_cmd, path="/healthz", interval=1.0, timeout=1.0, fall=2, rise=2,
                 poller=poll, clock=time.monotonic, sleep=time.sleep, kill_cmd=None, kill_after=4):
        self.upstreams, self.reload_cmd, self.path = upstreams, reload_cmd, path
        self.kill_cmd, self.kill_after = kill_cmd, max(kill_after, fall)
        self.interval, self.timeout, self.fall, self.rise = interval, timeout, fall, rise
        self.poller, self.clock, self.sleep = poller, clock, sleep
        self.trackers = {}
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=16)

    def round(self):
        """Polls every host of the file once and applies the verdicts; returns the hosts marked down."""
        with open(self.upstreams) as f:
            text = f.read()
        servers = parse_servers(text)
        # hosts added to the file start from what it says; removed ones are forgotten
        self.trackers = {a: self.trackers.get(a) or Tracker(self.fall, self.rise, up=not d) for a, d in servers}
        results = dict(zip(self.trackers, self.pool.map(lambda a: self.poller(a, self.path, self.timeout), self.trackers)))
        for addr, ok in results.items():
            if self.trackers[addr].observe(ok):
                log.warning("%s %s", addr, "answers again: back in the upstream" if ok
                            else "missed %d polls of %s: out of the upstream" % (self.fall, self.path))
        down = hosts_to_mark_down(self.trackers)
        if down != {a for a, d in servers if d}:
            if not down and any(not t.up for t in self.trackers.values()):
                log.error("every host misses %s: keeping them all in the upstream", self.path)
            write_atomically(self.upstreams, set_down(text, down))
            self.reload()
        for addr in sorted(down):
            if self.kill_cmd and self.trackers[addr].misses == self.kill_after:  # once per outage
                self.cut(addr)
        return down

    def cut(self, addr):
        argv = [a.replace("{addr}", addr) for a in self.kill_cmd]
        r = subprocess.run(argv, capture_output=True, text=True)
        n = max(0, len([l for l in r.stdout.splitlines() if l.strip()]) - 1)  # ss lists what it killed, after a header
        if r.returncode != 0:
            log.error("%s failed (%d): %s", shlex.join(argv), r.returncode, (r.stderr or r.stdout).strip())
        else:
            log.warning("%s missed %d polls: cut %d connection(s) to it", addr, self.kill_after, n)

    def reload(self):
        r = subprocess.run(self.reload_cmd, capture_output=True, text=True)
        if r.returncode != 0:
            log.error("reload %s failed (%d): %s", shlex.join(self.reload_cmd), r.returncode, (r.stderr or r.stdout).strip())
        else:
            log.info("upstream rewritten, nginx reloaded")

    def run(self):
        log.info("watching %s: %s every %.1fs, timeout %.1fs, down after %d misses, up after %d answers",
                 self.upstreams, self.path, self.interval, self.timeout, self.fall, self.rise)
        while True:
            start = self.clock()
            try:
                self.round()
            except OSError as e:
                log.error("round failed: %s", e)
            self.sleep(max(0.0, self.interval - (self.clock() - start)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--upstreams", default="/etc/nginx/framewire/upstreams.conf", help="the upstream file to edit")
    p.add_argument("--reload", default="/usr/sbin/nginx -s reload", help="command that reloads NGINX")
    p.add_argument("--path", default="/healthz", help="health path on each host's address")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polling rounds")
    p.add_argument("--timeout", type=float, default=1.0, help="seconds a host has to answer")
    p.add_argument("--fall", type=int, default=2, help="missed polls in a row before a host goes out")
    p.add_argument("--rise", type=int, default=2, help="answered polls in a row before it comes back")
    p.add_argument("--kill-after", type=int, default=4,
                   help="missed polls in a row (>= --fall) before this machine's connections to the host are cut")
    p.add_argument("--kill", default="ss -K dst {addr}", help="command that cuts the connections to {addr} ('' = never)")
    a = p.parse_args(argv)
    if a.fall < 1 or a.rise < 1 or a.interval <= 0 or a.timeout <= 0:
        p.error("--fall/--rise must be >= 1, --interval/--timeout > 0")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    Agent(a.upstreams, shlex.split(a.reload), a.path, a.interval, a.timeout, a.fall, a.rise,
          kill_cmd=shlex.split(a.kill) or None, kill_after=a.kill_after).run()


if __name__ == "__main__":
    main()
