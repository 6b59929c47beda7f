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

function draw(msg) {
  if (msg && msg.width && msg.height) {
    $('stage').style.aspectRatio = `${msg.width} / ${msg.height}`;
    $('placeholder').hidden = true;
  }
  drawBoxes($('overlay'), msg);
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
  client = new FramewireClient({
    url: pageSocketBase(), stream, watch: true, token: $('token').value || undefined,
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
