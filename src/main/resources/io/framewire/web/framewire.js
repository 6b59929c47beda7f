// framewire.js: a browser (or Node) client for framewire. Plain ES module, no dependencies.
// Copy it into your app, or import it from a framewire host: import { FramewireClient } from '/framewire.js'.
//
// Publishing:
//   const fw = new FramewireClient({ url: 'ws://localhost:8080', stream: 'cam-1', onResult: r => ... });
//   fw.start();
//   fw.send(jpegBlob, { width, height });   // returns the frame's seq, or -1 when it was not sent
//   fw.stop();
// Watching: new FramewireClient({ url, stream: 'cam-1', watch: true, onResult }).start().
//
// The reconnect contract (docs/protocol.md, "Browser pages" and the client contract): times are the defaults below.
//   1000 sent by us: done. 1001 (drain, idle): reconnect at once (0-250 ms jitter).
//   1013, 1008, 1011, 1006, a failed upgrade (HTTP 503 full/draining, or any refusal: a browser
//   cannot see the status), network errors: exponential backoff with full jitter, 250 ms doubling
//   to 10 s, reset after a connection that received a result.
//   4000 (replaced by a newer publisher): wait 5 s + jitter. 1009 (too big): stop, surface.
//   Silence: frames outstanding and no message for 3 s: close and reconnect with backoff. Any text
//   message is a sign of life: a live host that serves a stream less than it sends says so at least
//   every second ({"type":"status","stream":...,"dropped":N,"advice":{"fps":x}}, given to onStatus).

export const STREAM_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Close code this client uses when it gives up on a silent server (the silence rule). */
export const SILENCE_CLOSE = 4408;

export const DEFAULTS = Object.freeze({
  backoffBaseMs: 250,
  backoffCapMs: 10000,
  drainJitterMs: 250,
  replacedWaitMs: 5000,
  replacedJitterMs: 1000,
  silenceMs: 3000,
  statsWindowMs: 5000,
  maxBufferedBytes: 1 << 20, // skip frames while the socket has this much unsent (slow uplink)
});

/** What to do after a close: { action: 'done'|'stop'|'retry', delayMs, reason }. Pure: unit-tested. */
export function closePolicy(code, { opened, byClient, attempt, random = Math.random, options = DEFAULTS }) {
  const o = { ...DEFAULTS, ...options };
  const backoff = () => random() * Math.min(o.backoffCapMs, o.backoffBaseMs * 2 ** attempt);
  if (byClient) return { action: 'done', delayMs: 0, reason: 'closed' };
  if (code === 1009) return { action: 'stop', delayMs: 0, reason: 'frame too big for the server: lower the size or quality' };
  if (code === 1001) return { action: 'retry', delayMs: random() * o.drainJitterMs, reason: 'server going away: reconnecting', backoff: false };
  if (code === 4000) {
    return { action: 'retry', delayMs: o.replacedWaitMs + random() * o.replacedJitterMs,
      reason: 'replaced: another publisher took this stream id', backoff: false };
  }
  if (!opened) return { action: 'retry', delayMs: backoff(), reason: 'connection failed (host full, draining, down, or refused)', backoff: true };
  const why = {
    1013: 'host full or draining', 1008: 'too many unread results', 1011: 'server error',
    1006: 'connection lost', [SILENCE_CLOSE]: 'no answer to outstanding frames for 3 s',
  }[code] || 'closed';
  return { action: 'retry', delayMs: backoff(), reason: why, backoff: true };
}

/** p-quantile (0..1) of an unsorted array, nearest rank; NaN when empty. */
export function quantile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

/** The WebSocket base (ws:// or wss://) of the page's own host, for pages served by framewire. */
export function pageSocketBase(location = globalThis.location) {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;
}

export class FramewireClient {
  /**
   * @param {object} o
   * @param {string} o.url       ws:// or wss:// base, e.g. 'ws://localhost:8080'
   * @param {string} o.stream    stream id, [A-Za-z0-9._-]{1,128}
   * @param {string} [o.token]   JWT, sent as ?token= (browsers cannot set headers on a WebSocket)
   * @param {string[]} [o.protocols] WebSocket subprotocols to offer (for a server that takes credentials there)
   * @param {boolean} [o.watch]  watch /ws/watch/{id} instead of publishing
   * @param {number} [o.frames]  watch: pictures a second to receive beside the results (0-10), to o.onFrame (its
   *                             "frame" message) then o.onPicture (the JPEG as an ArrayBuffer)
   * @param {function} [o.onResult]  (msg, match) for every result/error; match = { latencyMs, meta } when it answers a frame we sent
   * @param {function} [o.onState]   (state, detail) on every state change: connecting, open, waiting, stopped
   * @param {function} [o.onAdvice]  ({ fps }) when the server advises a frame rate
   * @param {object} [o.env]     injected for tests: { WebSocket, setTimeout, clearTimeout, now, random }
   */
  constructor(o) {
    if (!STREAM_ID.test(o.stream || '')) throw new Error('invalid stream id: expected 1-128 characters of [A-Za-z0-9._-]');
    this.o = { ...DEFAULTS, ...o };
    const env = o.env || {};
    this.WS = env.WebSocket || globalThis.WebSocket;
    this.setTimeout = env.setTimeout || globalThis.setTimeout.bind(globalThis);
    this.clearTimeout = env.clearTimeout || globalThis.clearTimeout.bind(globalThis);
    this.now = env.now || (() => performance.now());
    this.random = env.random || Math.random;
    this.state = 'idle';
    this.ws = null;
    this.attempt = 0;        // consecutive backoffs since a connection that got a result
    this.connections = 0;    // sockets opened
    this.lastClose = null;   // { code, reason, opened, policy }
    this.lastEntry = null;   // watch: resume point
    this.advisedFps = null;
    this.timer = null;
    this.watchdog = null;
    this.#resetConnection();
    this.sent = [];          // send times (stats window)
    this.answered = [];      // { at, latencyMs } (stats window)
    this.droppedTotal = 0;
    this.resultsTotal = 0;
    this.sentTotal = 0;
  }

  #resetConnection() {
    this.seq = 0;
    this.pending = new Map(); // seq -> { sentAt, meta }
    this.gotResult = false;
    this.lastMessageAt = 0;
    this.opened = false;
  }

  get url() {
    const path = (this.o.watch ? '/ws/watch/' : '/ws/streams/') + encodeURIComponent(this.o.stream);
    const q = [];
    if (this.o.token) q.push('token=' + encodeURIComponent(this.o.token));
    if (this.o.watch && this.lastEntry) q.push('last=' + encodeURIComponent(this.lastEntry));
    if (this.o.watch && this.o.frames > 0) q.push('frames=' + this.o.frames);
    return this.o.url.replace(/\/+$/, '') + path + (q.length ? '?' + q.join('&') : '');
  }

  start() {
    if (this.state !== 'idle' && this.state !== 'stopped') return this;
    this.#connect();
    return this;
  }

  /** Closes with 1000: no reconnect. */
  stop() {
    this.#clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      try { ws.close(1000, 'client stopped'); } catch { /* already closed */ }
    }
    this.#setState('stopped', { code: 1000, reason: 'stopped' });
  }

  /** True when a frame sent now would go out at once (open, and the socket not backed up). */
  get ready() {
    return this.state === 'open' && this.ws && this.ws.bufferedAmount <= this.o.maxBufferedBytes;
  }

  /** Sends one encoded image (Blob, ArrayBuffer or typed array); meta comes back with its result. */
  send(data, meta) {
    if (this.o.watch || !this.ready) return -1;
    const seq = this.seq++;
    const at = this.now();
    this.pending.set(seq, { sentAt: at, meta });
    this.ws.send(data);
    this.sent.push(at);
    this.sentTotal++;
    this.#armWatchdog();
    return seq;
  }

  /** Rates and latency over the last statsWindowMs. */
  stats() {
    const now = this.now();
    const from = now - this.o.statsWindowMs;
    while (this.sent.length && this.sent[0] < from) this.sent.shift();
    while (this.answered.length && this.answered[0].at < from) this.answered.shift();
    const span = Math.min(this.o.statsWindowMs, Math.max(1, now - (this.connectedAt ?? now))) / 1000;
    const lat = this.answered.filter((a) => a.latencyMs != null).map((a) => a.latencyMs);
    return {
      state: this.state,
      sentFps: this.sent.length / span,
      resultFps: this.answered.length / span,
      p50: quantile(lat, 0.5),
      p99: quantile(lat, 0.99),
      dropped: this.droppedTotal,
      results: this.resultsTotal,
      sent: this.sentTotal,
      outstanding: this.pending.size,
      connections: this.connections,
      lastClose: this.lastClose,
      advisedFps: this.advisedFps,
    };
  }

  #setState(state, detail) {
    this.state = state;
    if (this.o.onState) this.o.onState(state, detail || {});
  }

  #clearTimers() {
    if (this.timer) this.clearTimeout(this.timer);
    if (this.watchdog) this.clearTimeout(this.watchdog);
    this.timer = this.watchdog = null;
  }

  #connect() {
    this.timer = null;
    this.#resetConnection();
    this.#setState('connecting', { url: this.url.replace(/token=[^&]*/, 'token=…') });
    let ws;
    try {
      ws = this.o.protocols ? new this.WS(this.url, this.o.protocols) : new this.WS(this.url);
    } catch (e) {
      this.#closed(1006, String(e), false);
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.opened = true;
      this.connections++;
      this.connectedAt = this.now();
      this.lastMessageAt = this.now();
      this.#setState('open', {});
    };
    ws.onmessage = (ev) => this.#message(ev.data);
    ws.onerror = () => { /* onclose follows with the code */ };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.#closed(ev.code, ev.reason, this.opened);
    };
  }

  #message(data) {
    this.lastMessageAt = this.now();
    if (typeof data !== 'string') {
      if (this.o.onPicture) this.o.onPicture(data); // watch with frames: the JPEG after its "frame" message
      return;
    }
    let msg;
    try { msg = JSON.parse(data); } catch { return; }
    if (msg.type === 'watching') return;
    if (msg.type === 'frame') {
      if (this.o.onFrame) this.o.onFrame(msg);
      return;
    }
    if (msg.entry) this.lastEntry = msg.entry;
    if (msg.advice && Number.isFinite(msg.advice.fps) && msg.advice.fps > 0) {
      if (msg.advice.fps !== this.advisedFps && this.o.onAdvice) this.o.onAdvice({ fps: msg.advice.fps });
      this.advisedFps = msg.advice.fps;
    }
    if (msg.type === 'status') {
      // a live, overloaded host: a sign of life (the silence rule does not fire), its drops so far and the advice
      this.lastStatus = msg;
      this.#armWatchdog();
      if (this.o.onStatus) this.o.onStatus(msg);
      return;
    }
    let match = null;
    if (!this.o.watch) {
      if (Number.isInteger(msg.seq)) {
        // results come in seq order: older frames still pending were replaced (reported in `dropped`)
        for (const s of this.pending.keys()) {
          if (s < msg.seq) this.pending.delete(s); else break;
        }
        const p = this.pending.get(msg.seq);
        if (p) {
          this.pending.delete(msg.seq);
          match = { seq: msg.seq, latencyMs: this.now() - p.sentAt, meta: p.meta };
        }
      }
    }
    if (msg.type === 'result' || msg.type === 'error') {
      // a watcher cannot time frames it did not send: it reports the server's receipt-to-result time
      const latencyMs = match ? match.latencyMs : (this.o.watch && msg.timing ? msg.timing.total_ms : null);
      this.answered.push({ at: this.now(), latencyMs });
      if (msg.type === 'result') {
        this.resultsTotal++;
        this.gotResult = true;
        this.attempt = 0;
      }
      if (Number.isInteger(msg.dropped)) this.droppedTotal += msg.dropped;
    }
    this.#armWatchdog();
    if (this.o.onResult) this.o.onResult(msg, match);
  }

  /** The silence rule: frames outstanding and nothing heard for silenceMs. */
  #armWatchdog() {
    if (this.watchdog || this.pending.size === 0 || this.state !== 'open') return;
    const oldest = this.pending.values().next().value.sentAt;
    const due = Math.max(this.lastMessageAt, oldest) + this.o.silenceMs;
    this.watchdog = this.setTimeout(() => {
      this.watchdog = null;
      if (this.state !== 'open' || this.pending.size === 0) return;
      const first = this.pending.values().next().value.sentAt;
      if (this.now() - Math.max(this.lastMessageAt, first) >= this.o.silenceMs) {
        const ws = this.ws;
        try { ws.close(SILENCE_CLOSE, 'no answer'); } catch { /* ignore */ }
        // don't wait for the close handshake of a server that stopped talking
        this.#closed(SILENCE_CLOSE, 'no answer to outstanding frames', true);
      } else {
        this.#armWatchdog();
      }
    }, Math.max(0, due - this.now()));
  }

  #closed(code, reason, opened) {
    const ws = this.ws;
    if (ws) ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    this.ws = null;
    this.#clearTimers();
    const policy = closePolicy(code, { opened, byClient: false, attempt: this.attempt, random: this.random, options: this.o });
    this.lastClose = { code, serverReason: reason, opened, ...policy };
    if (policy.action === 'stop') {
      this.#setState('stopped', this.lastClose);
      return;
    }
    if (policy.backoff) this.attempt++; // a result resets it to 0 (see #message)
    this.#setState('waiting', this.lastClose);
    this.timer = this.setTimeout(() => this.#connect(), policy.delayMs);
  }
}
