// An independent load generator for bench/hop.sh (issue 27): Node `ws`, one process, STREAMS
// publishing streams at FPS each, frames from a directory of JPEGs (each stream starts at its own
// offset). Latency: a frame's send to its answer (matched by seq) on this client's clock. Prints
// "measuring window started/ended" on stderr at the window's edges (hop.sh samples server CPU
// there), and a JSON summary on stdout.
'use strict';
const fs = require('fs');
const path = require('path');
const WebSocket = require('ws');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const url = args.url || 'ws://127.0.0.1:18080';
const streams = +(args.streams || 1000);
const fps = +(args.fps || 15);
const ramp = +(args.ramp || 10) * 1000;
const warmup = +(args.warmup || 20) * 1000;
const duration = +(args.duration || 30) * 1000;
const prefix = args.prefix || 'hop';
const frames = fs.readdirSync(args.frames).filter(f => f.endsWith('.jpg')).sort()
    .map(f => fs.readFileSync(path.join(args.frames, f)));
if (frames.length === 0) throw new Error('no .jpg in ' + args.frames);

const period = 1000 / fps;
const RING = 1024; // sends remembered per stream, by seq
const now = () => performance.now();
const t0 = now();
const windowStart = t0 + ramp + warmup;
const windowEnd = windowStart + duration;
let inWindow = false;
const lat = [];
let results = 0, sent = 0, dropped = 0, errors = 0, skipped = 0, open = 0, failures = 0, closes = 0;
let openAtStart = -1;
let cpuStart = null, cpuEnd = null;
const perStream = new Array(streams).fill(0);

function stream(i) {
  const ws = new WebSocket(`${url}/ws/streams/${prefix}-${i}`, { perMessageDeflate: false, maxPayload: 4 << 20 });
  const sentAt = new Float64Array(RING);
  let seq = 0, k = 0, opened = false, ended = false;
  const start = now() + (i / streams) * period; // phases spread over a period
  ws.on('open', () => { opened = true; open++; tick(); });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const t = now();
    const m = JSON.parse(data);
    if (!inWindow) return;
    if (m.type === 'result') {
      results++;
      perStream[i]++;
      if (m.seq >= 0 && m.seq < seq && seq - m.seq <= RING) lat.push(t - sentAt[m.seq % RING]);
    } else if (m.type === 'error') errors++;
    if (m.dropped) dropped += m.dropped;
  });
  ws.on('error', () => { if (!opened) failures++; });
  ws.on('close', () => { if (opened) { open--; if (!ended) closes++; } ended = true; });
  function tick() {
    if (ended) return;
    const t = now();
    if (t >= windowEnd + 2000) { ended = true; ws.close(1000); return; }
    if (ws.bufferedAmount > (1 << 20)) skipped++;
    else {
      sentAt[seq % RING] = t;
      ws.send(frames[(i * 37 + seq) % frames.length]);
      seq++;
      if (inWindow) sent++;
    }
    k++;
    let due = start + k * period;
    if (due < t - period) { k = Math.ceil((t - start) / period); due = start + k * period; } // late: skip, never burst
    setTimeout(tick, Math.max(0, due - now()));
  }
}

for (let i = 0; i < streams; i++) setTimeout(() => stream(i), (i / streams) * ramp);

setTimeout(() => {
  inWindow = true; openAtStart = open; cpuStart = process.cpuUsage();
  process.stderr.write('measuring window started\n');
}, windowStart - now());
setTimeout(() => {
  inWindow = false; cpuEnd = process.cpuUsage(cpuStart);
  process.stderr.write('measuring window ended\n');
}, windowEnd - now());
setTimeout(() => {
  const s = Float64Array.from(lat).sort();
  const q = p => s.length ? +s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(2) : null;
  let sum = 0, sq = 0;
  for (const r of perStream) { sum += r; sq += r * r; }
  const w = duration / 1000;
  console.log(JSON.stringify({
    client: 'node-ws', streams, fps, window_s: w, results, results_per_s: +(results / w).toFixed(1),
    frames_sent: sent, frames_sent_per_s: +(sent / w).toFixed(1), dropped, errors, send_skipped: skipped,
    latency_ms: { p50: q(0.5), p99: q(0.99), p99_9: q(0.999), max: s.length ? +s[s.length - 1].toFixed(2) : null },
    jain: sq ? +((sum * sum) / (streams * sq)).toFixed(4) : 0,
    connections: { open_at_window_start: openAtStart, connect_failures: failures, unexpected_closes: closes },
    client_cpu_s: cpuEnd ? +((cpuEnd.user + cpuEnd.system) / 1e6).toFixed(2) : null,
  }));
  process.exit(0);
}, windowEnd + 3000 - now());
