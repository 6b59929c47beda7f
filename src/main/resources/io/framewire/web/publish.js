// The publisher page: camera or video file -> JPEG frames -> framewire; boxes over the video.
import { FramewireClient, STREAM_ID, pageSocketBase } from '/framewire.js';
import { renderStatus, renderDetections, drawBoxes, note, logLine } from '/ui.js';

const $ = (id) => document.getElementById(id);
const form = $('settings');
const video = $('video');
const overlay = $('overlay');
const noteEl = $('note');
const capture = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(2, 2) : document.createElement('canvas');

let client = null;
let media = null;      // MediaStream or object URL
let loop = null;
let encoding = false;
let running = false;
let lastMsg = null;

// Settings from the URL: /?stream=cam-7&fps=10&size=320&quality=0.7&token=... They only fill the form:
// publishing starts with the user's click, never from a link (anyone can send a link; a browser that
// granted the camera once would start streaming to the link's stream id). `start=1` is ignored.
const params = new URLSearchParams(location.search);
for (const k of ['stream', 'fps', 'size', 'quality', 'token', 'source']) {
  if (params.has(k)) $(k).value = params.get(k);
}
const syncForm = () => {
  $('quality-value').textContent = Number($('quality').value).toFixed(2);
  $('file-label').hidden = $('source').value !== 'file';
  $('watch-link').href = '/watch/' + encodeURIComponent($('stream').value);
};
form.addEventListener('input', syncForm);
syncForm();

function effectiveFps() {
  const wanted = Math.max(1, Math.min(60, Number($('fps').value) || 10));
  return client && client.advisedFps ? Math.min(wanted, client.advisedFps) : wanted;
}

async function openSource() {
  const width = Number($('size').value);
  if ($('source').value === 'file') {
    const f = $('file').files[0];
    if (!f) throw new Error('choose a video file first');
    media = URL.createObjectURL(f);
    video.srcObject = null;
    video.src = media;
    video.loop = true;
  } else {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error('no camera access here: browsers allow it on https:// or http://localhost only');
    }
    media = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: width } }, audio: false });
    video.srcObject = media;
  }
  await video.play();
}

function closeSource() {
  if (media instanceof MediaStream) media.getTracks().forEach((t) => t.stop());
  else if (typeof media === 'string') URL.revokeObjectURL(media);
  media = null;
  video.pause();
  video.srcObject = null;
  video.removeAttribute('src');
}

// Ticks from a worker (not throttled in a background tab); the page's own timer where workers are missing.
const ticker = typeof Worker === 'function' ? new Worker('/ticker.js') : null;
let period = 0;
if (ticker) ticker.onmessage = () => tick();

function schedule() {
  const ms = Math.round(1000 / effectiveFps());
  if (ticker) {
    if (ms !== period) { period = ms; ticker.postMessage(ms); }
  } else {
    loop = setTimeout(tick, ms);
  }
}

function unschedule() {
  clearTimeout(loop);
  if (ticker) { period = 0; ticker.postMessage(0); }
}

function tick() {
  if (!running) return; // a tick already on its way when Stop was pressed
  schedule(); // picks up a changed FPS setting or advice
  if (encoding || !client || !client.ready || video.readyState < 2 || !video.videoWidth) return;
  const w = Math.min(Math.max(64, Number($('size').value) || 640), video.videoWidth) & ~1;
  const h = Math.round(w * video.videoHeight / video.videoWidth) & ~1;
  if (capture.width !== w || capture.height !== h) { capture.width = w; capture.height = h; }
  capture.getContext('2d').drawImage(video, 0, 0, w, h);
  encoding = true;
  encode(capture, Number($('quality').value)).then((blob) => {
    encoding = false;
    if (blob && client) client.send(blob, { width: w, height: h });
  }, () => { encoding = false; });
}

// OffscreenCanvas.convertToBlob where there is one: canvas.toBlob encodes in idle time, which a
// background tab gets about once a second.
function encode(canvas, quality) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type: 'image/jpeg', quality });
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
}

async function start(ev) {
  ev?.preventDefault();
  const stream = $('stream').value.trim();
  if (!STREAM_ID.test(stream)) {
    note(noteEl, 'stream id: 1-128 characters of A-Z a-z 0-9 . _ -', true);
    return;
  }
  $('start').disabled = true;
  try {
    await openSource();
  } catch (e) {
    note(noteEl, e.message || String(e), true);
    $('start').disabled = false;
    return;
  }
  $('placeholder').hidden = true;
  client = new FramewireClient({
    url: pageSocketBase(), stream, token: $('token').value || undefined,
    onResult: (msg, match) => {
      if (!match && msg.type === 'result') return; // not ours (a previous connection's)
      lastMsg = msg;
      renderDetections($('detections'), msg);
      drawBoxes(overlay, msg);
    },
    onState: (state, d) => {
      if (state === 'open') logLine($('log'), 'open');
      if (state === 'waiting') logLine($('log'), `closed ${d.code}${d.opened ? '' : ' (no open)'}: ${d.reason}`);
      if (state === 'waiting') note(noteEl, `${d.reason}; retrying in ${(d.delayMs / 1000).toFixed(1)} s`, d.code !== 1001);
      else if (state === 'open') note(noteEl, `publishing ${stream}`);
      else if (state === 'stopped' && d.code !== 1000) { note(noteEl, `${d.code}: ${d.reason}`, true); stop(); }
    },
    onAdvice: ({ fps }) => note(noteEl, `server advises ${fps} FPS`),
  }).start();
  $('stop').disabled = false;
  running = true;
  schedule();
}

function stop() {
  running = false;
  unschedule();
  if (client && client.state !== 'stopped') client.stop();
  closeSource();
  $('start').disabled = false;
  $('stop').disabled = true;
  $('placeholder').hidden = false;
  drawBoxes(overlay, null);
}

form.addEventListener('submit', start);
$('stop').addEventListener('click', () => { stop(); note(noteEl, 'stopped'); });
window.addEventListener('resize', () => drawBoxes(overlay, lastMsg));
setInterval(() => { if (client) renderStatus($('status'), client.stats()); }, 250);
