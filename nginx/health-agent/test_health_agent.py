"""The health agent's decisions (unit), and the agent itself against a real NGINX and real HTTP hosts (end to end).
Run: python3 -m unittest discover -s nginx/health-agent -v"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import health_agent as ha  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RENDER = os.path.join(HERE, "..", "render.sh")

RENDERED = """upstream framewire {
    hash $stream_id consistent;
    server 10.0.0.1:8080 max_fails=0;
    server 10.0.0.2:8080 max_fails=0;
    server 10.0.0.3:8080 max_fails=3 fail_timeout=5s; # comment
}
"""


class Decisions(unittest.TestCase):
    def test_parse_and_flag_round_trip(self):
        self.assertEqual(ha.parse_servers(RENDERED),
                         [("10.0.0.1:8080", False), ("10.0.0.2:8080", False), ("10.0.0.3:8080", False)])
        one = ha.set_down(RENDERED, {"10.0.0.2:8080"})
        self.assertIn("    server 10.0.0.2:8080 max_fails=0 down;\n", one)
        self.assertEqual(ha.parse_servers(one)[1], ("10.0.0.2:8080", True))
        self.assertIn("server 10.0.0.3:8080 max_fails=3 fail_timeout=5s; # comment", one, "other lines as they were")
        self.assertEqual(ha.set_down(one, set()), RENDERED, "back to the original, byte for byte")
        self.assertEqual(ha.set_down(ha.set_down(RENDERED, {"10.0.0.1:8080"}), {"10.0.0.1:8080"}).count("down"), 1)

    def test_a_host_goes_out_after_fall_misses_in_a_row_and_back_after_rise_answers(self):
        t = ha.Tracker(fall=3, rise=2)
        self.assertEqual([t.observe(ok) for ok in (False, False, True, False, False)], [False] * 5)
        self.assertTrue(t.up, "misses must be in a row")
        self.assertTrue(t.observe(False))
        self.assertFalse(t.up)
        self.assertEqual([t.observe(ok) for ok in (True, False, True)], [False] * 3)
        self.assertTrue(t.observe(True))
        self.assertTrue(t.up)

    def test_never_every_host(self):
        trackers = {a: ha.Tracker(1, 1) for a in ("a:1", "b:1", "c:1")}
        trackers["a:1"].observe(False)
        self.assertEqual(ha.hosts_to_mark_down(trackers), {"a:1"})
        for t in trackers.values():
            t.observe(False)
        self.assertEqual(ha.hosts_to_mark_down(trackers), set(), "all silent: the fault is probably ours")

    def test_rounds_rewrite_the_file_and_reload_only_on_a_change(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        path = os.path.join(d, "upstreams.conf")
        with open(path, "w") as f:
            f.write(RENDERED)
        reloads = os.path.join(d, "reloads")
        answers = {"10.0.0.1:8080": True, "10.0.0.2:8080": True, "10.0.0.3:8080": True}
        agent = ha.Agent(path, ["sh", "-c", "echo x >> " + reloads], fall=2, rise=2,
                         poller=lambda addr, p, t: answers[addr])

        def reload_count():
            return len(read(reloads).splitlines()) if os.path.exists(reloads) else 0

        self.assertEqual(agent.round(), set())
        self.assertEqual(reload_count(), 0, "nothing changed: no reload")
        answers["10.0.0.2:8080"] = False
        self.assertEqual(agent.round(), set(), "one miss is not enough")
        self.assertEqual(agent.round(), {"10.0.0.2:8080"})
        self.assertEqual(reload_count(), 1)
        self.assertIn("server 10.0.0.2:8080 max_fails=0 down;", read(path))
        agent.round()
        self.assertEqual(reload_count(), 1, "still down: no second reload")
        answers["10.0.0.2:8080"] = True
        agent.round()
        self.assertEqual(agent.round(), set())
        self.assertEqual(read(path), RENDERED)
        self.assertEqual(reload_count(), 2)

    def test_connections_are_cut_once_after_kill_after_misses(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        path = os.path.join(d, "upstreams.conf")
        write(path, RENDERED)
        cuts = os.path.join(d, "cuts")
        answers = {"10.0.0.1:8080": True, "10.0.0.2:8080": False, "10.0.0.3:8080": True}
        agent = ha.Agent(path, ["true"], fall=2, rise=2, poller=lambda addr, p, t: answers[addr],
                         kill_cmd=["sh", "-c", "echo {addr} >> " + cuts], kill_after=4)
        for _ in range(3):
            agent.round()
        self.assertEqual(agent.trackers["10.0.0.2:8080"].up, False, "out of the upstream after 2")
        self.assertFalse(os.path.exists(cuts), "but its connections stay until 4 misses")
        for _ in range(3):
            agent.round()
        self.assertEqual(read(cuts), "10.0.0.2:8080\n", "cut once")
        answers["10.0.0.2:8080"] = True
        agent.round()
        agent.round()
        answers["10.0.0.2:8080"] = False
        for _ in range(4):
            agent.round()
        self.assertEqual(read(cuts), "10.0.0.2:8080\n" * 2, "again in a new outage")
        for addr in answers:
            answers[addr] = False
        for _ in range(6):
            agent.round()
        self.assertEqual(read(cuts).count("10.0.0.1"), 0, "every host silent: nothing marked, nothing cut")

    def test_a_restarted_agent_starts_from_the_file(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        path = os.path.join(d, "upstreams.conf")
        with open(path, "w") as f:
            f.write(ha.set_down(RENDERED, {"10.0.0.1:8080"}))
        agent = ha.Agent(path, ["true"], fall=2, rise=2, poller=lambda a, p, t: True)
        self.assertEqual(agent.round(), {"10.0.0.1:8080"}, "one answer is not rise=2")
        self.assertEqual(agent.round(), set())

    def test_poll_is_bounded_by_its_timeout(self):
        # a listener that never accepts/answers: the kernel completes the handshake, nobody replies
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        self.addCleanup(s.close)
        t0 = time.monotonic()
        self.assertFalse(ha.poll("127.0.0.1:%d" % s.getsockname()[1], "/healthz", 0.3))
        self.assertLess(time.monotonic() - t0, 1.0)
        self.assertFalse(ha.poll("127.0.0.1:1", "/healthz", 0.3), "refused")


class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t

    def sleep(self, s):
        self.t += s


DAMPED = dict(min_reload_interval=10.0, hold_down=5.0, hold_down_max=300.0, flap_half_life=600.0)  # main()'s defaults
A, B, C = "10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"


class Damping(unittest.TestCase):
    """The damping (issue #25, F4) on a fake clock: one round per simulated second, no real sleeps."""

    def setUp(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        self.path = os.path.join(d, "upstreams.conf")
        write(self.path, RENDERED)
        self.clock = FakeClock()
        self.answers = {A: True, B: True, C: True}

    def agent(self, **damping):
        return ha.Agent(self.path, ["true"], fall=2, rise=2, poller=lambda addr, p, t: self.answers[addr],
                        clock=self.clock, sleep=self.clock.sleep, **damping)

    def run_for(self, agent, seconds, answers=None):
        """One round per second for `seconds`; answers(addr, t) overrides self.answers. Returns the
        file's down set after each round, with the round's time."""
        out = []
        for _ in range(int(seconds)):
            if answers:
                for addr in self.answers:
                    self.answers[addr] = answers(addr, self.clock.t)
            out.append((self.clock.t, agent.round()))
            self.clock.sleep(1.0)
        return out

    def flapping_b(self, start):
        """B stopped for 3 s, running for 3 s, from `start` on (the F4 fault)."""
        return lambda addr, t: addr != B or t < start or int((t - start) // 3) % 2 == 1

    def test_the_cli_defaults_are_damped_and_zero_restores_the_old_behaviour(self):
        a = ha.build_agent(["--upstreams", self.path])
        self.assertEqual((a.min_reload_interval, a.hold_down, a.hold_down_max, a.flap_half_life), (10.0, 5.0, 300.0, 600.0))
        a = ha.build_agent(["--upstreams", self.path, "--min-reload-interval", "0", "--hold-down", "0"])
        self.assertEqual((a.min_reload_interval, a.hold_down), (0.0, 0.0))
        with self.assertRaises(SystemExit), open(os.devnull, "w") as null:
            stderr, sys.stderr = sys.stderr, null
            try:
                ha.build_agent(["--upstreams", self.path, "--flap-half-life", "0"])
            finally:
                sys.stderr = stderr

    def test_a_host_flapping_every_3s_stays_out_and_reloads_once(self):
        damped = self.agent(**DAMPED)
        rounds = self.run_for(damped, 60, self.flapping_b(self.clock.t + 5))
        out_at = next(t for t, down in rounds if B in down)
        self.assertEqual(damped.reloads, 1, "one reload: B out; the hold-down keeps it out while it flaps")
        self.assertTrue(all(B in down for t, down in rounds if t >= out_at), "never back while it flaps")
        self.assertLessEqual(out_at - (1000 + 5), 2, "out after fall=2 misses: no reload happened before")
        self.assertIn("server 10.0.0.2:8080 max_fails=0 down;", read(self.path))

        # the undamped agent, same fault: a reload at each change (what F4 measured)
        write(self.path, RENDERED)
        self.clock.t = 1000.0
        undamped = self.agent(min_reload_interval=0, hold_down=0)
        self.run_for(undamped, 60, self.flapping_b(self.clock.t + 5))
        self.assertGreaterEqual(undamped.reloads, 15)

    def test_a_first_trip_out_comes_back_after_rise_and_a_second_after_its_hold_down(self):
        agent = self.agent(**DAMPED)
        self.answers[B] = False
        self.run_for(agent, 12)  # misses at 1000..1011: out at 1001
        self.assertEqual(agent.reloads, 1)
        self.answers[B] = True
        back = [t for t, down in self.run_for(agent, 20) if B not in down]
        self.assertEqual(back[0], 1013.0, "first trip out (a restart): back after rise=2 answers, as before")
        self.answers[B] = False
        self.run_for(agent, 12)  # out again at 1033
        self.answers[B] = True  # answering from 1044
        back = [t for t, down in self.run_for(agent, 20) if B not in down]
        self.assertAlmostEqual(back[0], 1044.0 + 5, msg="second trip out within minutes: a 5 s hold-down")
        self.assertEqual(agent.reloads, 4)

    def test_a_return_also_waits_for_the_reload_interval(self):
        agent = self.agent(**DAMPED)
        self.answers[B] = False
        self.run_for(agent, 3)  # out at 1001 (a reload)
        self.answers[B] = True  # answering from 1003: held until 1008, the next reload is allowed at 1011
        back = [t for t, down in self.run_for(agent, 20) if B not in down]
        self.assertEqual(back[0], 1011.0)

    def test_the_hold_down_grows_exponentially_per_recent_trip_out_up_to_its_cap_and_decays(self):
        t = ha.Tracker(fall=1, rise=1, hold_down=5, hold_down_max=60, half_life=600)
        holds = []
        now = 0.0
        for _ in range(7):
            t.observe(False, now)
            holds.append(t.hold)
            now += 1
            while not t.observe(True, now):  # answers until it is back
                now += 1
        self.assertEqual(holds[0], 0, "a first trip out: no hold-down")
        for got, want in zip(holds[1:4], (5, 15, 35)):  # 5 x (2^(n-1) - 1), less a little decay between trips
            self.assertAlmostEqual(got, want, delta=want * 0.1)
        self.assertEqual(holds[4:], [60, 60, 60], "capped at hold_down_max")
        quiet = now + 6 * 3600  # six hours healthy: the trips out are forgotten
        t.observe(False, quiet)
        self.assertAlmostEqual(t.flaps, 1, delta=0.01)
        self.assertAlmostEqual(t.hold, 0, delta=0.1)

    def test_a_miss_during_the_hold_down_starts_it_again(self):
        t = ha.Tracker(fall=2, rise=2, hold_down=5, hold_down_max=300)
        for now, ok in ((0, False), (1, False), (2, True), (3, True), (4, False), (5, False)):  # out, back, out
            t.observe(ok, now)
        self.assertFalse(t.up)
        self.assertAlmostEqual(t.hold, 5, delta=0.1, msg="the second trip out")
        self.assertEqual([t.observe(True, s) for s in (6, 7, 8, 9)], [False] * 4)
        t.observe(False, 10)  # one miss, not a new trip out: the run of answers starts again
        self.assertAlmostEqual(t.hold, 5, delta=0.1)
        self.assertEqual([t.observe(True, s) for s in (11, 12, 13, 14, 15)], [False] * 5)
        self.assertTrue(t.observe(True, 16), "answered 11..16: 5 s")

    def test_reloads_are_rate_limited_coalesced_and_out_stays_fast(self):
        agent = self.agent(**DAMPED)
        self.answers[A] = False
        first = self.run_for(agent, 2)
        self.assertEqual(first[-1][1], {A}, "A out after fall=2 misses, nothing reloaded before")
        self.assertEqual(agent.reloads, 1)
        t_reload = first[-1][0]
        # C dies 1 s later: its change waits for the interval; B dies and comes back meanwhile: no reload for it
        self.answers[C] = False
        rounds = self.run_for(agent, 12, lambda addr, t: {A: False, C: False}.get(addr, not (t_reload + 2 <= t < t_reload + 5)))
        c_out = next(t for t, down in rounds if C in down)
        self.assertEqual(c_out, t_reload + 10, "applied at the first round 10 s after the last reload")
        self.assertEqual(agent.reloads, 2, "C's change and B's out-and-back coalesced into one reload")
        self.assertNotIn(B, rounds[-1][1], "B answered again before the reload came: no change for it")
        self.assertEqual(read(self.path).count(" down;"), 2)
        # worst case for taking a host out: fall x interval + min_reload_interval after it stops answering
        self.assertLessEqual(c_out - (t_reload + 1), 2 + 10)

    def test_undone_before_its_reload_costs_nothing(self):
        agent = self.agent(**DAMPED)
        self.answers[A] = False
        self.run_for(agent, 2)
        self.answers[A] = True  # back within the interval, but held down: its return waits anyway
        self.answers[B] = False
        self.run_for(agent, 2)
        self.answers[B] = True
        self.run_for(agent, 20)
        self.assertEqual(agent.reloads, 2, "A out, then A back; B's 2 s outage never reached NGINX")
        self.assertEqual(read(self.path), RENDERED)

    def test_a_restarted_agent_holds_a_host_the_file_has_down(self):
        write(self.path, ha.set_down(RENDERED, {A}))
        agent = self.agent(**DAMPED)
        back = next(t for t, down in self.run_for(agent, 10) if A not in down)
        self.assertEqual(back - 1000.0, 5.0, "the base hold-down: it may have been flapping")

    def test_every_host_silent_empties_nothing_even_when_damped(self):
        agent = self.agent(**DAMPED)
        for addr in self.answers:
            self.answers[addr] = False
        self.assertEqual(self.run_for(agent, 15)[-1][1], set())
        self.assertEqual(agent.reloads, 0)


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def socket_destroy_works():
    """True when `ss -K` can destroy a socket here (CAP_NET_ADMIN, a kernel with CONFIG_INET_DIAG_DESTROY)."""
    if not shutil.which("ss"):
        return False
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    try:
        c = socket.create_connection(srv.getsockname(), 1)
        a, _ = srv.accept()
        with c, a:
            subprocess.run(["ss", "-K", "dst", "%s:%d" % srv.getsockname()], capture_output=True)
            c.settimeout(1)
            try:
                c.send(b"x")
                return c.recv(1) == b"" and False
            except OSError:
                return True
    finally:
        srv.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, proc, what):
    for _ in range(100):
        if proc.poll() is not None:
            raise AssertionError(what + " exited")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(what + " did not listen on %d" % port)


@unittest.skipIf(os.environ.get("FW_AGENT_E2E") == "0", "FW_AGENT_E2E=0")
class EndToEnd(unittest.TestCase):
    """Two real HTTP hosts behind the shipped NGINX config; the agent (its own process) reloads NGINX."""

    def setUp(self):
        if not shutil.which("nginx"):
            self.fail("nginx is not installed (apt-get install nginx)")
        self.tmp = tempfile.mkdtemp()
        self.procs = []
        self.addCleanup(self.cleanup)
        self.hosts = {}
        for name in ("A", "B"):
            root = os.path.join(self.tmp, name)
            os.makedirs(os.path.join(root, "ws", "streams"))
            write(os.path.join(root, "healthz"), "up\n")
            for i in range(40):
                write(os.path.join(root, "ws", "streams", "cam-%d" % i), name)
            port = free_port()
            p = self.spawn([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", root])
            wait_port(port, p, "host " + name)
            self.hosts[name] = (port, p)
        self.ngx = os.path.join(self.tmp, "nginx")
        self.port = free_port()
        ups = " ".join("127.0.0.1:%d" % self.hosts[n][0] for n in ("A", "B"))
        subprocess.run([RENDER, self.ngx, ups, "127.0.0.1:%d" % self.port], check=True)
        self.nginx = self.spawn(["nginx", "-p", self.ngx, "-c", self.ngx + "/nginx.conf", "-e", self.ngx + "/logs/error.log",
                                 "-g", "pid %s/nginx.pid; daemon off;" % self.ngx])
        wait_port(self.port, self.nginx, "nginx")

    def spawn(self, argv, **kw):
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=kw.pop("stderr", subprocess.DEVNULL), **kw)
        self.procs.append(p)
        return p

    def cleanup(self):
        for p in reversed(self.procs):
            try:
                p.send_signal(signal.SIGCONT)
                p.terminate()
                p.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def get(self, cam, timeout=3.0):
        """(host name, seconds) of a request for cam through NGINX."""
        t0 = time.monotonic()
        with urllib.request.urlopen("http://127.0.0.1:%d/ws/streams/%s" % (self.port, cam), timeout=timeout) as r:
            return r.read().decode(), time.monotonic() - t0

    def wait_for(self, cond, seconds, what):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if cond():
                return time.monotonic()
            time.sleep(0.05)
        self.fail(what)

    def test_a_hung_host_goes_out_of_the_upstream_and_comes_back(self):
        cam = next(c for c in ("cam-%d" % i for i in range(40)) if self.get(c)[0] == "A")
        other = next(c for c in ("cam-%d" % i for i in range(40)) if self.get(c)[0] == "B")
        log = open(os.path.join(self.tmp, "agent.log"), "w")
        self.addCleanup(log.close)
        self.spawn([sys.executable, os.path.join(HERE, "health_agent.py"), "--upstreams", self.ngx + "/framewire/upstreams.conf",
                    "--reload", "kill -HUP %d" % self.nginx.pid, "--interval", "0.2", "--timeout", "0.3",
                    "--fall", "2", "--rise", "2", "--kill-after", "4", "--min-reload-interval", "1", "--hold-down", "1"],
                   stderr=log)
        upstreams = self.ngx + "/framewire/upstreams.conf"
        a = "127.0.0.1:%d" % self.hosts["A"][0]
        time.sleep(0.6)
        self.assertNotIn("down", read(upstreams), "both answer: nothing marked")

        t0 = time.monotonic()
        self.hosts["A"][1].send_signal(signal.SIGSTOP)  # hung: the kernel still accepts its connections
        # a request already waiting on A when it hangs (like an established WebSocket): NGINX alone
        # would wait proxy_read_timeout (5 s); the agent's cut (ss -K) makes NGINX retry on B at once
        pending = {}

        def wait_on_a():
            try:
                pending["answer"] = self.get(cam, timeout=8.0)
            except OSError as e:
                pending["answer"] = (repr(e), time.monotonic() - t0)
        waiter = threading.Thread(target=wait_on_a)
        waiter.start()
        marked = self.wait_for(lambda: "%s max_fails=0 down;" % a in read(upstreams), 5, "A never marked down")
        self.assertLess(marked - t0, 3.0, "2 misses of 0.2 s rounds with 0.3 s timeouts (slack for a loaded machine)")

        def served_by_b_at_once():
            try:
                host, took = self.get(cam, timeout=1.0)
            except OSError:
                return False
            return host == "B" and took < 1.5  # not NGINX's 5 s wait on A
        self.wait_for(served_by_b_at_once, 3, "after the reload A's camera is not served by B at once")
        self.assertEqual(self.get(other)[0], "B", "B's own camera stays on B")
        waiter.join(10)
        host, took = pending["answer"]
        self.assertEqual(host, "B", "the request stuck on A was retried on B")
        if socket_destroy_works():
            self.assertLess(took, 4.5, "cut after 4 misses of 0.2 s rounds (0.3 s timeouts), before NGINX's 5 s read timeout")
            self.assertRegex(read(os.path.join(self.tmp, "agent.log")), r"missed 4 polls: cut [1-9][0-9]* connection")
        else:  # no socket destroy here: the agent says so, and NGINX's read timeout is what moves it
            self.assertGreater(took, 4.5)
            self.assertRegex(read(os.path.join(self.tmp, "agent.log")), r"ERROR .*ss -K dst .* failed")

        self.hosts["A"][1].send_signal(signal.SIGCONT)
        self.wait_for(lambda: "down" not in read(upstreams), 5, "A never came back")
        self.wait_for(lambda: self.get(cam)[0] == "A", 3, "A's camera is not routed to A again after the rejoin")


if __name__ == "__main__":
    unittest.main()
