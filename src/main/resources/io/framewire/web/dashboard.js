// The dashboard: polls /dashboard.json once a second; rates and latency quantiles come from the
// difference between two polls (the server sends cumulative counts only).
const $ = (id) => document.getElementById(id);
const POINTS = 120;
const series = { results: [], received: [], dropped: [], p50: [], p99: [] };
let prev = null;
const history = []; // the last polls, oldest first

/** histogram_quantile over the bucket increase between two polls: [[le, cumulative], ...]. */
export function bucketQuantile(q, now, before) {
  if (!now.length) return NaN;
  const d = now.map(([le, c], i) => [le === '+Inf' ? Infinity : le, c - (before && before[i] ? before[i][1] : 0)]);
  const total = d[d.length - 1][1];
  if (total <= 0) return NaN;
  const rank = q * total;
  let lowerBound = 0, lowerCount = 0;
  for (const [le, c] of d) {
    if (c >= rank) {
      if (le === Infinity) return lowerBound;
      return lowerBound + (le - lowerBound) * ((rank - lowerCount) / Math.max(1, c - lowerCount));
    }
    lowerBound = le;
    lowerCount = c;
  }
  return lowerBound;
}

const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const ago = (ms) => (ms < 60000 ? `${Math.round(ms / 1000)} s` : ms < 3600000 ? `${Math.round(ms / 60000)} min` : `${(ms / 3600000).toFixed(1)} h`);

function push(name, v) {
  series[name].push(v);
  if (series[name].length > POINTS) series[name].shift();
}

function chart(canvas, lines) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(canvas.clientWidth * dpr), h = Math.round(canvas.clientHeight * dpr);
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, w, h);
  const values = lines.flatMap((l) => l.data).filter(Number.isFinite);
  const max = Math.max(1, ...values) * 1.15;
  const left = 44 * dpr, bottom = h - 6 * dpr, top = 8 * dpr;
  ctx.font = `${11 * dpr}px ui-monospace, Menlo, monospace`;
  ctx.fillStyle = '#8593a3';
  ctx.strokeStyle = '#263241';
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = bottom - (bottom - top) * i / 4;
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(w, y); ctx.stroke();
    ctx.fillText(fmt(max * i / 4, max < 10 ? 1 : 0), 2 * dpr, y + 4 * dpr);
  }
  const step = (w - left) / (POINTS - 1);
  for (const l of lines) {
    ctx.strokeStyle = l.color;
    ctx.lineWidth = 2 * dpr;
    ctx.beginPath();
    let pen = false;
    l.data.forEach((v, i) => {
      const x = left + (POINTS - l.data.length + i) * step;
      if (!Number.isFinite(v)) { pen = false; return; }
      const y = bottom - (bottom - top) * v / max;
      if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      pen = true;
    });
    ctx.stroke();
    if (l.data.length === 1 && Number.isFinite(l.data[0])) { // one poll yet: a dot, not an empty chart
      ctx.fillStyle = l.color;
      ctx.beginPath();
      ctx.arc(w - 3 * dpr, bottom - (bottom - top) * l.data[0] / max, 3 * dpr, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

function rows(tbody, items, cells, empty) {
  if (items.length === 0 && empty) {
    const td = document.createElement('td');
    td.colSpan = tbody.parentElement.tHead.rows[0].cells.length;
    td.className = 'muted';
    td.textContent = empty;
    const tr = document.createElement('tr');
    tr.append(td);
    tbody.replaceChildren(tr);
    return;
  }
  tbody.replaceChildren(...items.map((it) => {
    const tr = document.createElement('tr');
    for (const [text, cls, href] of cells(it)) {
      const td = document.createElement('td');
      if (cls) td.className = cls;
      if (href) {
        const a = document.createElement('a');
        a.href = href;
        a.textContent = text;
        td.append(a);
      } else {
        td.textContent = text;
      }
      tr.append(td);
    }
    return tr;
  }));
}

function render(now) {
  const dt = prev ? (now.time_ms - prev.time_ms) / 1000 : 0;
  const rate = (get) => (prev && dt > 0 ? Math.max(0, (get(now) - get(prev)) / dt) : NaN);
  const t = (k) => (s) => s.totals[k] || 0;
  const results = rate(t('processed'));
  const received = rate(t('received'));
  const dropped = rate(t('dropped'));
  const p50 = 1000 * bucketQuantile(0.5, now.latency.buckets, prev && prev.latency.buckets);
  const p99 = 1000 * bucketQuantile(0.99, now.latency.buckets, prev && prev.latency.buckets);
  const busy = rate(t('worker_busy_seconds')) / Math.max(1, now.workers);

  $('host').textContent = `${now.host} · ${now.detector} · ${now.workers} worker(s)${now.draining ? ' · DRAINING' : ''}`;
  $('streams').textContent = `${now.streams_active} / ${now.capacity}`;
  $('capacity-bar').style.width = `${Math.min(100, 100 * now.streams_active / now.capacity)}%`;
  $('results-rate').textContent = fmt(results);
  $('received-rate').textContent = fmt(received);
  $('dropped-rate').textContent = fmt(dropped);
  $('latency').textContent = Number.isFinite(p50) ? `${fmt(p50, 0)} / ${fmt(p99, 0)} ms` : '–';
  $('busy').textContent = Number.isFinite(busy) ? `${fmt(100 * busy, 0)} %` : '–';
  if (prev) {
    push('results', results); push('received', received); push('dropped', dropped);
    push('p50', p50); push('p99', p99);
  }
  $('chart-throughput').dataset.points = String(series.results.length);
  chart($('chart-throughput'), [ // results last: on top of frames in, which it mostly equals
    { data: series.received, color: '#5b9cf0' }, { data: series.dropped, color: '#e06464' }, { data: series.results, color: '#3fb68b' }]);
  chart($('chart-latency'), [{ data: series.p50, color: '#3fb68b' }, { data: series.p99, color: '#e0a84a' }]);

  // per stream: over the last ~5 s (one poll is too short a window for a few frames a second)
  const old = history.find((h) => now.time_ms - h.time_ms <= 5500) || prev;
  const span = old ? (now.time_ms - old.time_ms) / 1000 : 0;
  const before = new Map((old ? old.streams : []).map((s) => [s.id + '@' + s.connected_at, s]));
  const streams = [...now.streams].sort((a, b) => a.id.localeCompare(b.id));
  rows($('streams-table').tBodies[0], streams, (s) => {
    const p = before.get(s.id + '@' + s.connected_at);
    const fps = p && span > 0 ? (s.processed - p.processed) / span : NaN;
    const dps = p && span > 0 ? (s.dropped - p.dropped) / span : NaN;
    return [[s.id, 'stream', '/watch/' + encodeURIComponent(s.id)], [s.client || ''], [fmt(fps), 'num fps'], [fmt(dps), 'num'],
      [String(s.received), 'num'], [String(s.dropped), 'num'], [ago(now.time_ms - s.connected_at), 'num']];
  }, 'no streams publishing here: open / to start one');

  if (now.fleet) {
    const hosts = [...now.fleet.hosts].sort((x, y) => x.id.localeCompare(y.id));
    const total = hosts.reduce((a, h) => a + h.streams, 0);
    const cap = hosts.reduce((a, h) => a + h.capacity, 0);
    $('fleet-note').textContent = `${hosts.length} host(s), ${total} stream(s), ${fmt(cap ? 100 * total / cap : 0)} % of capacity`;
    $('fleet-table').hidden = false;
    rows($('fleet-table').tBodies[0], hosts, (h) => [[h.id + (h.id === now.host ? ' (this)' : '')], [h.address || ''],
      [String(h.streams), 'num'], [`${fmt(h.capacity ? 100 * h.streams / h.capacity : 0)} %`, 'num'], [h.version && h.version !== 'null' ? h.version : '–'],
      [ago(Math.max(0, now.time_ms - h.heartbeat_ms)) + ' ago', 'num']]);
  }
  prev = now;
  history.push(now);
  while (history.length > 6) history.shift();
}

async function poll() {
  try {
    const r = await fetch('/dashboard.json', { cache: 'no-store' });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    render(await r.json());
    $('note').textContent = '';
  } catch (e) {
    $('note').textContent = `cannot read /dashboard.json: ${e.message}`;
  } finally {
    setTimeout(poll, 1000);
  }
}
poll();
