// The watch page: /watch/{id} follows a stream's results through /ws/watch/{id}.
import { FramewireClient, STREAM_ID, pageSocketBase } from '/framewire.js';
import { renderStatus, renderDetections, drawBoxes, note, logLine } from '/ui.js';

const $ = (id) => document.getElementById(id);
const noteEl = $('note');
const params = new URLSearchParams(location.search);
$('stream').value = decodeURIComponent(location.pathname.replace(/^\/watch\//, ''));
if (params.has('token')) $('token').value = params.get('token');

let client = null;
let lastMsg = null;
let zones = [];
let pictureUrl = null;

function draw(msg) {
  if (msg && msg.width && msg.height) {
    $('stage').style.aspectRatio = `${msg.width} / ${msg.height}`;
    $('placeholder').hidden = true;
  }
  drawBoxes($('overlay'), msg);
  drawZones($('overlay'), msg);
}

// The stream's zones (normalised polygons) over the picture; read from /api/streams/{id}/zones when this
// host serves it to this page (no admin port, or this is it; with auth, a token granting fw.admin).
function drawZones(canvas, msg) {
  if (!zones.length || !msg || !msg.width) return;
  const ctx = canvas.getContext('2d');
  const cw = canvas.width, ch = canvas.height;
  const scale = Math.min(cw / msg.width, ch / msg.height);
  const ox = (cw - msg.width * scale) / 2, oy = (ch - msg.height * scale) / 2;
  ctx.strokeStyle = '#ffc800';
  ctx.fillStyle = 'rgba(255, 200, 0, 0.12)';
  for (const z of zones) {
    if (!z.polygon.length) continue;
    ctx.beginPath();
    z.polygon.forEach(([x, y], i) => {
      const px = ox + x * msg.width * scale, py = oy + y * msg.height * scale;
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    if (z !== draft) ctx.closePath();
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = '#ffc800';
    ctx.fillText(z.name, ox + z.polygon[0][0] * msg.width * scale + 4, oy + z.polygon[0][1] * msg.height * scale + 16);
    ctx.fillStyle = 'rgba(255, 200, 0, 0.12)';
  }
}

// Zone editing: points clicked on the picture, in the frame's normalised coordinates.
let draft = null;

function toFrame(ev) {
  const canvas = $('overlay');
  if (!lastMsg || !lastMsg.width) return null;
  const r = canvas.getBoundingClientRect();
  const scale = Math.min(r.width / lastMsg.width, r.height / lastMsg.height);
  const ox = (r.width - lastMsg.width * scale) / 2, oy = (r.height - lastMsg.height * scale) / 2;
  const x = (ev.clientX - r.left - ox) / (lastMsg.width * scale), y = (ev.clientY - r.top - oy) / (lastMsg.height * scale);
  if (x < 0 || x > 1 || y < 0 || y > 1) return null;
  return [Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000];
}

$('overlay').addEventListener('click', (ev) => {
  if (!draft) return;
  const p = toFrame(ev);
  if (!p) return;
  draft.polygon.push(p);
  $('zone-finish').disabled = draft.polygon.length < 3;
  draw(lastMsg);
});
$('zone-draw').addEventListener('click', () => {
  const labels = $('zone-labels').value.split(',').map((l) => l.trim()).filter(Boolean);
  draft = { name: $('zone-name').value.trim(), polygon: [], labels, minScore: 0 };
  zones = zones.filter((z) => z.name !== draft.name);
  zones.push(draft);
  $('zone-finish').disabled = true;
  note($('zone-note'), `drawing ${draft.name}: click its corners on the picture`);
});
$('zone-finish').addEventListener('click', () => {
  draft = null;
  $('zone-finish').disabled = true;
  note($('zone-note'), 'zone finished: Save to keep it');
});
async function saveZones(method) {
  const stream = $('stream').value.trim();
  const token = $('token').value;
  const headers = { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) };
  const body = method === 'PUT' ? JSON.stringify({ zones: zones.filter((z) => z.polygon.length >= 3) }) : undefined;
  try {
    const r = await fetch(`/api/streams/${encodeURIComponent(stream)}/zones`, { method, headers, body });
    if (r.ok) {
      zones = method === 'PUT' ? (await r.json()).zones : [];
      note($('zone-note'), method === 'PUT' ? `saved ${zones.length} zone(s)` : 'zones cleared');
    } else {
      let why = `HTTP ${r.status}`;
      try { why = (await r.json()).error || why; } catch { /* not JSON */ }
      note($('zone-note'), why, true);
    }
  } catch (e) {
    note($('zone-note'), String(e), true);
  }
  draw(lastMsg);
}
$('zone-save').addEventListener('click', () => saveZones('PUT'));
$('zone-clear').addEventListener('click', () => saveZones('DELETE'));

async function loadZones(stream) {
  zones = [];
  try {
    const token = $('token').value;
    const r = await fetch(`/api/streams/${encodeURIComponent(stream)}/zones`,
      token ? { headers: { Authorization: 'Bearer ' + token } } : {});
    if (r.ok) zones = (await r.json()).zones || [];
  } catch { /* not served here: boxes only */ }
  draw(lastMsg);
}

function showPicture(buffer) {
  const url = URL.createObjectURL(new Blob([buffer], { type: 'image/jpeg' }));
  const img = $('picture');
  img.onload = () => { if (pictureUrl && pictureUrl !== url) URL.revokeObjectURL(pictureUrl); pictureUrl = url; };
  img.src = url;
  img.hidden = false;
  $('stage').classList.add('live');
  $('placeholder').hidden = true;
}

function start(ev) {
  ev?.preventDefault();
  const stream = $('stream').value.trim();
  if (!STREAM_ID.test(stream)) {
    note(noteEl, 'stream id: 1-128 characters of A-Z a-z 0-9 . _ -', true);
    return;
  }
  if (location.pathname !== '/watch/' + stream) history.replaceState(null, '', '/watch/' + encodeURIComponent(stream));
  document.title = `framewire · watch ${stream}`;
  if (client) client.stop();
  const frames = Math.max(0, Math.min(10, parseInt($('frames').value, 10) || 0));
  if (!frames) { $('picture').hidden = true; $('stage').classList.remove('live'); }
  loadZones(stream);
  client = new FramewireClient({
    url: pageSocketBase(), stream, watch: true, token: $('token').value || undefined, frames,
    onFrame: (f) => { if (f.width && f.height) $('stage').style.aspectRatio = `${f.width} / ${f.height}`; },
    onPicture: showPicture,
    onResult: (msg) => {
      if (msg.type !== 'result' && msg.type !== 'error') return;
      if (Number.isInteger(msg.seq)) $('seq').textContent = String(msg.seq);
      if (msg.type === 'result') {
        lastMsg = msg;
        draw(msg);
      }
      renderDetections($('detections'), msg);
    },
    onState: (state, d) => {
      if (state === 'open') { logLine($('log'), 'open'); note(noteEl, `watching ${stream}`); }
      if (state === 'waiting') {
        logLine($('log'), `closed ${d.code}${d.opened ? '' : ' (no open)'}: ${d.reason}`);
        note(noteEl, `${d.reason}; retrying in ${(d.delayMs / 1000).toFixed(1)} s`, d.code !== 1001);
      }
      if (state === 'stopped' && d.code !== 1000) note(noteEl, d.reason, true);
    },
  }).start();
}

$('settings').addEventListener('submit', start);
$('stop').addEventListener('click', () => { if (client) client.stop(); note(noteEl, 'stopped'); });
window.addEventListener('resize', () => draw(lastMsg));
setInterval(() => { if (client) renderStatus($('status'), client.stats()); }, 250);
start();
