#!/usr/bin/env python3
"""framewire health agent: runs beside NGINX, polls each framewire host's /healthz, and takes a
host that stops answering out of the upstream (and puts it back once it answers again).

NGINX open source has no active health checks, and its passive ones are off (max_fails=0, see
nginx/upstreams.conf.example). A host that hangs (SIGSTOP, GC death spiral, frozen VM) still has a
kernel that accepts TCP connections, so NGINX would keep hashing new upgrades onto it and wait
proxy_read_timeout for an answer each time. This agent marks such a host `down` in upstreams.conf
and reloads NGINX: new upgrades go straight to the next host of the hash ring (`down` keeps the
ring's points, so no other stream moves). Established WebSockets to the hung host are not cut by
the reload (they stay on the old workers until worker_shutdown_timeout, see Damping below), and NGINX's proxy_read_timeout does not cut them while the camera keeps sending (NGINX
re-arms it on traffic in either direction, and the hung host's kernel keeps accepting bytes until
megabytes of socket buffers fill). So once a host has missed --kill-after polls in a row, the
agent destroys this machine's TCP connections to it (`ss -K dst ADDR`, CAP_NET_ADMIN): NGINX sees
the upstream fail and closes the camera's side, and the camera reconnects to the next host.
--kill-after is larger than --fall so a host that is only slow for a moment loses no stream.

The agent's only edit is the ` down` flag on the `server ADDR ...;` lines of the upstream file,
which it re-reads every round, so the file stays Ansible's (or nginx/render.sh's). It never marks
every host down: when all miss at once the fault is more likely on this side.

Damping (issue #25, F4). Every reload starts a new generation of NGINX workers, and the old ones
keep their WebSockets until those close (or worker_shutdown_timeout). Undamped, a host flapping
every 3 s reloaded NGINX at each change: 2 -> 12 workers in a minute, ~32 MB each. So:
  * Reloads are coalesced and rate-limited: at most one per --min-reload-interval (10 s). A change
    that arrives sooner waits, with any others, for the first round after the interval; a change
    undone before then costs no reload at all.
  * Hold-down: a host that went out comes back only after --rise answers that also span
    --hold-down x (2^(flaps - 1) - 1) seconds without a miss, capped at --hold-down-max: 0 s on a
    first trip out (a restart, a rolling upgrade: back as fast as before), then 5, 15, 35, 75, 155,
    300 s. `flaps` counts the host's recent trips out, decaying with a half-life of
    --flap-half-life (600 s): a host that stayed healthy for an hour starts again near 0 s. A host
    stopped/running every 3 s is out after its first stop; if it answers twice before the next
    stop, its return waits for the reload interval and is undone by that stop (no reload), and from
    then on it never answers for 5 s in a row: it stays out, no more reloads.
  * Taking a host out is never held down, only rate-limited. Worst case: a hung host stays in the
    upstream for detection (--fall x --interval + --timeout, ~3 s) + --min-reload-interval (10 s)
    = ~13 s (typical ~3 s, when NGINX was not reloaded in the previous 10 s). Within that window
    a new upgrade hashed onto it waits proxy_read_timeout (5 s) and NGINX retries it on the next
    host (a dead host that refuses connections costs nothing: the retry is immediate). Its
    established connections are cut at --kill-after misses whether or not the reload has run.
  * Lingering workers: the shipped nginx.conf sets worker_shutdown_timeout 30s, so an old
    generation lives at most 30 s after a reload; its WebSockets are then closed and those cameras
    reconnect (framewire.js and the load generator back off with jitter) to the same host, through
    the current workers. With reloads at least 10 s apart, at most 1 + 30/10 = 4 generations are
    alive at any time, i.e. 4 x worker_processes workers, and only if hosts change state every 10 s
    for half a minute; one host flapping (F4) reloads once, so 2 generations for 30 s, then 1.
--min-reload-interval 0 --hold-down 0 gives the undamped behaviour of earlier versions.

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
    """One host's verdict: down after `fall` missed polls in a row; up again after `rise` answered
    ones that also span the host's current hold-down (`hold_down` x (2^(flaps - 1) - 1), capped at
    `hold_down_max`: none on a first trip out; flaps: its trips out, decaying with a half-life of
    `half_life` seconds)."""

    def __init__(self, fall, rise, up=True, hold_down=0.0, hold_down_max=0.0, half_life=600.0, now=0.0):
        self.fall, self.rise, self.up = fall, rise, up
        self.hold_down, self.hold_down_max, self.half_life = hold_down, max(hold_down, hold_down_max), half_life
        self.misses = self.answers = 0
        self.answering_since = None  # when the current run of answers began
        self.flaps, self.flaps_at = (0.0 if up else 2.0), now  # a host the file says is down may be flapping
        self.hold = 0.0 if up else self.hold_for(self.flaps)

    def hold_for(self, flaps):
        return min(self.hold_down_max, self.hold_down * (2 ** max(0.0, flaps - 1) - 1)) if self.hold_down > 0 else 0.0

    def recent_flaps(self, now):
        """The decayed count of trips out at `now`."""
        return self.flaps * 0.5 ** (max(0.0, now - self.flaps_at) / self.half_life)

    def held_for(self, now):
        """Seconds a host that is out and answering still has to answer before it may come back (0: none)."""
        if self.up or self.answering_since is None:
            return self.hold
        return max(0.0, self.hold - (now - self.answering_since))

    def observe(self, ok, now=0.0):
        """Records one poll at clock time `now`; returns True when the verdict changed."""
        if ok:
            self.answers, self.misses = self.answers + 1, 0
            if self.answering_since is None:
                self.answering_since = now
            if not self.up and self.answers >= self.rise and now - self.answering_since >= self.hold:
                self.up = True
                return True
        else:
            self.misses, self.answers, self.answering_since = self.misses + 1, 0, None
            if self.up and self.misses >= self.fall:
                self.up = False
                self.flaps, self.flaps_at = self.recent_flaps(now) + 1.0, now
                self.hold = self.hold_for(self.flaps)
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
    """Polls every host of the upstream file once per round and applies the verdicts. The damping
    defaults here are off (0: a reload at every change, back after `rise` answers); main()'s flags
    turn it on."""

    def __init__(self, upstreams, reload_cmd, path="/healthz", interval=1.0, timeout=1.0, fall=2, rise=2,
                 poller=poll, clock=time.monotonic, sleep=time.sleep, kill_cmd=None, kill_after=4,
                 min_reload_interval=0.0, hold_down=0.0, hold_down_max=300.0, flap_half_life=600.0):
        self.upstreams, self.reload_cmd, self.path = upstreams, reload_cmd, path
        self.kill_cmd, self.kill_after = kill_cmd, max(kill_after, fall)
        self.interval, self.timeout, self.fall, self.rise = interval, timeout, fall, rise
        self.min_reload_interval = min_reload_interval
        self.hold_down, self.hold_down_max, self.flap_half_life = hold_down, hold_down_max, flap_half_life
        self.poller, self.clock, self.sleep = poller, clock, sleep
        self.trackers = {}
        self.last_reload = None   # clock time of the last reload this agent ran
        self.reloads = 0
        self.pending_since = None  # when the file first differed from the verdicts (a change waiting for its reload)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=16)

    def tracker(self, marked_down, now):
        return Tracker(self.fall, self.rise, up=not marked_down, hold_down=self.hold_down,
                       hold_down_max=self.hold_down_max, half_life=self.flap_half_life, now=now)

    def round(self):
        """Polls every host of the file once and applies the verdicts, at most one reload per
        min_reload_interval; returns the hosts marked down in the file after the round."""
        with open(self.upstreams) as f:
            text = f.read()
        servers = parse_servers(text)
        # hosts added to the file start from what it says; removed ones are forgotten
        now = self.clock()
        self.trackers = {a: self.trackers.get(a) or self.tracker(d, now) for a, d in servers}
        results = dict(zip(self.trackers, self.pool.map(lambda a: self.poller(a, self.path, self.timeout), self.trackers)))
        now = self.clock()
        for addr, ok in results.items():
            t = self.trackers[addr]
            was_held = not t.up and t.answers > 0 and t.held_for(now) > 0
            if t.observe(ok, now):
                if ok:
                    log.warning("%s answers again (for %.0fs): back in the upstream", addr, now - t.answering_since)
                else:
                    log.warning("%s missed %d polls of %s: out of the upstream%s", addr, self.fall, self.path,
                                ", back after answering for %.0fs (%.1f recent trips out)" % (t.hold, t.flaps) if t.hold else "")
            elif ok and not t.up and not was_held and t.held_for(now) > 0:
                log.info("%s answers again: held out %.0fs more (hold-down %.0fs)", addr, t.held_for(now), t.hold)
        down = hosts_to_mark_down(self.trackers)
        marked = {a for a, d in servers if d}
        if down != marked:
            if self.pending_since is None:
                self.pending_since = now
            if self.last_reload is None or now - self.last_reload >= self.min_reload_interval:
                if not down and any(not t.up for t in self.trackers.values()):
                    log.error("every host misses %s: keeping them all in the upstream", self.path)
                write_atomically(self.upstreams, set_down(text, down))
                self.reload(now, now - self.pending_since)
                marked, self.pending_since = down, None
        else:
            self.pending_since = None  # undone before its reload: nothing to do
        for addr in sorted(down):
            if self.kill_cmd and self.trackers[addr].misses == self.kill_after:  # once per outage
                self.cut(addr)
        return marked

    def cut(self, addr):
        argv = [a.replace("{addr}", addr) for a in self.kill_cmd]
        r = subprocess.run(argv, capture_output=True, text=True)
        n = max(0, len([l for l in r.stdout.splitlines() if l.strip()]) - 1)  # ss lists what it killed, after a header
        if r.returncode != 0:
            log.error("%s failed (%d): %s", shlex.join(argv), r.returncode, (r.stderr or r.stdout).strip())
        else:
            log.warning("%s missed %d polls: cut %d connection(s) to it", addr, self.kill_after, n)

    def reload(self, now=None, waited=0.0):
        self.last_reload = self.clock() if now is None else now
        self.reloads += 1
        r = subprocess.run(self.reload_cmd, capture_output=True, text=True)
        if r.returncode != 0:
            log.error("reload %s failed (%d): %s", shlex.join(self.reload_cmd), r.returncode, (r.stderr or r.stdout).strip())
        else:
            log.info("upstream rewritten, nginx reloaded (reload %d%s)", self.reloads,
                     ", the change waited %.1fs for --min-reload-interval" % waited if waited > 0 else "")

    def run(self):
        log.info("watching %s: %s every %.1fs, timeout %.1fs, down after %d misses, up after %d answers and a "
                 "hold-down of %.0fs x (2^(recent trips out - 1) - 1), max %.0fs, half-life %.0fs); reloads >= %.0fs apart",
                 self.upstreams, self.path, self.interval, self.timeout, self.fall, self.rise, self.hold_down,
                 self.hold_down_max, self.flap_half_life, self.min_reload_interval)
        while True:
            start = self.clock()
            try:
                self.round()
            except OSError as e:
                log.error("round failed: %s", e)
            self.sleep(max(0.0, self.interval - (self.clock() - start)))


def arg_parser():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog=__doc__[__doc__.index("Damping (issue"):__doc__.index("Python 3 standard")].strip(),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
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
    p.add_argument("--min-reload-interval", type=float, default=10.0,
                   help="seconds between two reloads at least; changes in between wait and are applied together "
                        "(0 = reload at every change)")
    p.add_argument("--hold-down", type=float, default=5.0,
                   help="hold-down unit: a host that went out must answer without a miss for this x (2^(recent trips "
                        "out - 1) - 1) seconds before it comes back: 0 s, 5, 15, 35, ... (0 = back after --rise answers)")
    p.add_argument("--hold-down-max", type=float, default=300.0, help="cap of the hold-down, seconds")
    p.add_argument("--flap-half-life", type=float, default=600.0,
                   help="seconds in which a host's count of recent trips out halves")
    return p


def build_agent(argv=None):
    """The Agent main() runs, from command-line flags."""
    p = arg_parser()
    a = p.parse_args(argv)
    if a.fall < 1 or a.rise < 1 or a.interval <= 0 or a.timeout <= 0:
        p.error("--fall/--rise must be >= 1, --interval/--timeout > 0")
    if a.min_reload_interval < 0 or a.hold_down < 0 or a.hold_down_max < 0 or a.flap_half_life <= 0:
        p.error("--min-reload-interval/--hold-down/--hold-down-max must be >= 0, --flap-half-life > 0")
    return Agent(a.upstreams, shlex.split(a.reload), a.path, a.interval, a.timeout, a.fall, a.rise,
                 kill_cmd=shlex.split(a.kill) or None, kill_after=a.kill_after, min_reload_interval=a.min_reload_interval,
                 hold_down=a.hold_down, hold_down_max=a.hold_down_max, flap_half_life=a.flap_half_life)


def main(argv=None):
    agent = build_agent(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    agent.run()


if __name__ == "__main__":
    main()
