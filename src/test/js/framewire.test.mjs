// Unit tests of framewire.js's logic (seq matching, the reconnect contract, the silence rule), with a
// fake WebSocket class and a virtual clock injected through the constructor. The browser tests
// (io.framewire.web.BrowserTest) drive the same module in Chromium against a real server.
// Run: node --test src/test/js/framewire.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FramewireClient, closePolicy, quantile, SILENCE_CLOSE } from '../../main/resources/io/framewire/web/framewire.js';

/** A virtual clock with timers that run only when the test advances it. */
class Clock {
  constructor() { this.t = 0; this.timers = new Map(); this.next = 1; }
  now = () => this.t;
  setTimeout = (fn, ms) => { const id = this.next++; this.timers.set(id, { at: this.t + ms, fn }); return id; };
  clearTimeout = (id) => { this.timers.delete(id); };
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      let due = null;
      for (const [id, tm] of this.timers) if (tm.at <= end && (!due || tm.at < due[1].at)) due = [id, tm];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

/** Records every socket the client opens; the test plays the server. */
function fakeSockets() {
  const made = [];
  class FakeWebSocket {
    constructor(url, protocols) { this.url = url; this.protocols = protocols; this.sentFrames = []; this.bufferedAmount = 0; this.closedWith = null; made.push(this); }
    send(d) { this.sentFrames.push(d); }
    close(code, reason) { this.closedWith = { code, reason }; }
    // server side
    open() { this.onopen?.({}); }
    msg(o) { this.onmessage?.({ data: JSON.stringify(o) }); }
    serverClose(code, reason = '') { this.onclose?.({ code, reason, wasClean: code !== 1006 }); }
  }
  return { FakeWebSocket, made };
}

function client(extra = {}) {
  const clock = new Clock();
  const { FakeWebSocket, made } = fakeSockets();
  const states = [];
  const results = [];
  const c = new FramewireClient({
    url: 'ws://host:8080/', stream: 'cam-1', ...extra,
    onState: (s, d) => states.push([s, d]), onResult: (m, match) => results.push([m, match]),
    env: { WebSocket: FakeWebSocket, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, now: clock.now, random: () => 1 },
  });
  return { c, clock, made, states, results };
}

const result = (seq, extra = {}) => ({ type: 'result', stream: 'cam-1', seq, width: 320, height: 240, dropped: 0, detections: [], ...extra });

test('rejects a stream id the server would refuse', () => {
  assert.throws(() => new FramewireClient({ url: 'ws://h', stream: 'bad id!' }), /invalid stream id/);
  assert.throws(() => new FramewireClient({ url: 'ws://h', stream: 'x'.repeat(129) }), /invalid stream id/);
});

test('builds publish and watch URLs with the token and the resume entry', () => {
  const { c, made } = client({ token: 'a b' });
  c.start();
  assert.equal(made[0].url, 'ws://host:8080/ws/streams/cam-1?token=a%20b');
  const w = client({ watch: true });
  w.c.start();
  w.made[0].open();
  w.made[0].msg({ entry: '17-0', ...result(3) });
  w.made[0].serverClose(1001);
  w.clock.advance(300);
  assert.equal(w.made[1].url, 'ws://host:8080/ws/watch/cam-1?last=17-0');
});

test('offers the given subprotocols', () => {
  const { c, made } = client({ protocols: ['framewire', 'bearer.x'] });
  c.start();
  assert.deepEqual(made[0].protocols, ['framewire', 'bearer.x']);
  const plain = client();
  plain.c.start();
  assert.equal(plain.made[0].protocols, undefined);
});

test('matches results to frames by seq; skipped frames leave the pending set', () => {
  const { c, clock, made, results } = client();
  c.start();
  assert.equal(c.send(new Uint8Array(1), { w: 1 }), -1, 'nothing is sent before open');
  made[0].open();
  assert.equal(c.send(new Uint8Array(1), { n: 0 }), 0);
  clock.advance(10);
  assert.equal(c.send(new Uint8Array(1), { n: 1 }), 1);
  clock.advance(10);
  assert.equal(c.send(new Uint8Array(1), { n: 2 }), 2);
  clock.advance(5);
  made[0].msg(result(2, { dropped: 2 }));
  const [msg, match] = results.at(-1);
  assert.equal(msg.seq, 2);
  assert.deepEqual(match.meta, { n: 2 });
  assert.equal(match.latencyMs, 5);
  assert.equal(c.pending.size, 0);
  assert.equal(c.stats().dropped, 2);
  assert.equal(c.stats().results, 1);
});

test('skips frames while the socket is backed up', () => {
  const { c, made } = client();
  c.start();
  made[0].open();
  made[0].bufferedAmount = 2 << 20;
  assert.equal(c.send(new Uint8Array(1)), -1);
  made[0].bufferedAmount = 0;
  assert.equal(c.send(new Uint8Array(1)), 0);
});

test('1001: reconnects within 250 ms', () => {
  const { c, clock, made } = client();
  c.start();
  made[0].open();
  made[0].serverClose(1001, 'server shutting down');
  assert.equal(c.state, 'waiting');
  clock.advance(249);
  assert.equal(made.length, 1);
  clock.advance(1);
  assert.equal(made.length, 2);
});

test('4000: waits 5 s + jitter before reconnecting', () => {
  const { c, clock, made, states } = client();
  c.start();
  made[0].open();
  made[0].serverClose(4000, 'replaced');
  assert.match(states.at(-1)[1].reason, /replaced/);
  clock.advance(5999);
  assert.equal(made.length, 1);
  clock.advance(1);
  assert.equal(made.length, 2);
});

test('1013 and failed upgrades: exponential backoff capped at 10 s', () => {
  const { c, clock, made } = client();
  c.start();
  made[0].open();
  made[0].serverClose(1013, 'server at capacity');
  // random() = 1: the delays are the caps: 250, 500, 1000, ... 10000
  const expected = [250, 500, 1000, 2000, 4000, 8000, 10000, 10000];
  for (let i = 0; i < expected.length; i++) {
    clock.advance(expected[i] - 1);
    assert.equal(made.length, i + 1, `attempt ${i}: not before ${expected[i]} ms`);
    clock.advance(1);
    assert.equal(made.length, i + 2, `attempt ${i}: at ${expected[i]} ms`);
    made.at(-1).serverClose(1006); // HTTP 503 at the upgrade: the browser sees 1006 without open
  }
});

test('backoff resets to base after a connection that got a result', () => {
  const { c, clock, made } = client();
  c.start();
  made[0].serverClose(1006);            // failed: 250
  clock.advance(250);
  made[1].serverClose(1006);            // failed: 500
  clock.advance(500);
  made[2].open();
  c.send(new Uint8Array(1));
  made[2].msg(result(0));
  made[2].serverClose(1013);
  clock.advance(249);
  assert.equal(made.length, 3);
  clock.advance(1);
  assert.equal(made.length, 4);
});

test('1009: stops and surfaces the error; 1008: backoff', () => {
  const a = client();
  a.c.start();
  a.made[0].open();
  a.made[0].serverClose(1009, 'too big');
  assert.equal(a.c.state, 'stopped');
  assert.match(a.c.lastClose.reason, /too big/);
  a.clock.advance(60000);
  assert.equal(a.made.length, 1);
  assert.equal(closePolicy(1008, { opened: true, byClient: false, attempt: 0, random: () => 1 }).delayMs, 250);
});

test('stop() closes with 1000 and never reconnects', () => {
  const { c, clock, made } = client();
  c.start();
  made[0].open();
  c.stop();
  assert.deepEqual(made[0].closedWith, { code: 1000, reason: 'client stopped' });
  assert.equal(c.state, 'stopped');
  clock.advance(60000);
  assert.equal(made.length, 1);
});

test('silence rule: frames outstanding and no message for 3 s closes and reconnects', () => {
  const { c, clock, made } = client();
  c.start();
  made[0].open();
  clock.advance(10000); // idle, nothing outstanding: no timeout
  assert.equal(c.state, 'open');
  c.send(new Uint8Array(1));
  clock.advance(2000);
  made[0].msg(result(0));
  c.send(new Uint8Array(1));
  clock.advance(2999);
  assert.equal(c.state, 'open');
  clock.advance(1);
  assert.equal(made[0].closedWith.code, SILENCE_CLOSE);
  assert.equal(c.state, 'waiting');
  clock.advance(250);
  assert.equal(made.length, 2);
});

test('follows advice.fps when the server sends it', () => {
  const advised = [];
  const { c, made } = client({ onAdvice: (a) => advised.push(a.fps) });
  c.start();
  made[0].open();
  made[0].msg(result(0));
  assert.equal(c.advisedFps, null);
  made[0].msg(result(1, { advice: { fps: 5 } }));
  made[0].msg(result(2, { advice: { fps: 5 } }));
  assert.deepEqual(advised, [5]);
  assert.equal(c.stats().advisedFps, 5);
});

test('stats: rates and latency quantiles over the window', () => {
  const { c, clock, made } = client();
  c.start();
  made[0].open();
  for (let i = 0; i < 10; i++) {
    c.send(new Uint8Array(1));
    clock.advance(10 * (i + 1));
    made[0].msg(result(i));
    clock.advance(100 - 10 * (i + 1));
  }
  const s = c.stats();
  assert.equal(s.sent, 10);
  assert.ok(Math.abs(s.sentFps - 10) < 0.01, `sentFps ${s.sentFps}`);
  assert.equal(s.p50, 50);
  assert.equal(s.p99, 100);
  assert.equal(quantile([], 0.5), NaN);
});

test('watch with frames: asks for them, hands the "frame" message and the JPEG over, counts no result', () => {
  const frames = [];
  const pictures = [];
  const { c, made, results } = client({ watch: true, frames: 2, onFrame: (f) => frames.push(f), onPicture: (b) => pictures.push(b) });
  c.start();
  assert.equal(made[0].url, 'ws://host:8080/ws/watch/cam-1?frames=2');
  made[0].open();
  made[0].msg({ type: 'frame', stream: 'cam-1', ts: 5, width: 320, height: 240 });
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff]).buffer;
  made[0].onmessage({ data: jpeg });
  made[0].msg({ type: 'watched', entry: '1-0', ...result(1) });
  assert.deepEqual(frames.map((f) => f.ts), [5]);
  assert.deepEqual(pictures, [jpeg]);
  assert.equal(results.length, 1);
});
