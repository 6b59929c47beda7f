// Shared by the pages: the status strip, the detection list and the boxes.

const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

/** Fills a .status strip: elements with data-k="sentFps" etc. */
export function renderStatus(root, s) {
  const set = (k, text, cls) => {
    const el = root.querySelector(`[data-k="${k}"]`);
    if (!el) return;
    el.textContent = text;
    if (cls !== undefined) el.className = cls;
  };
  set('state', s.state, 'state-' + s.state);
  set('sentFps', fmt(s.sentFps));
  set('resultFps', fmt(s.resultFps));
  set('p50', Number.isFinite(s.p50) ? fmt(s.p50, 0) + ' ms' : '–');
  set('p99', Number.isFinite(s.p99) ? fmt(s.p99, 0) + ' ms' : '–');
  set('dropped', String(s.dropped));
  set('results', String(s.results));
  set('connections', String(s.connections));
  set('closeCode', s.lastClose ? String(s.lastClose.code) : '–');
}

/** The latest result's detections as a list. */
export function renderDetections(ul, msg) {
  ul.replaceChildren();
  const dets = (msg && msg.detections) || [];
  if (msg && msg.type === 'error') {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = `error: ${msg.code}`;
    ul.append(li);
    return;
  }
  if (dets.length === 0) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = 'no detections';
    ul.append(li);
    return;
  }
  for (const d of dets) {
    const li = document.createElement('li');
    li.className = 'detection';
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = d.label + (Number.isInteger(d.track) ? ` #${d.track}` : '');
    const score = document.createElement('span');
    score.textContent = `${d.score.toFixed(2)}  ${d.box.map((v) => Math.round(v)).join(',')}`;
    li.append(label, score);
    ul.append(li);
  }
}

/**
 * Draws msg's boxes on a canvas that shows a frame of msg.width x msg.height scaled into the
 * canvas with object-fit: contain.
 */
export function drawBoxes(canvas, msg) {
  const dpr = window.devicePixelRatio || 1;
  const cw = Math.round(canvas.clientWidth * dpr);
  const ch = Math.round(canvas.clientHeight * dpr);
  if (canvas.width !== cw || canvas.height !== ch) {
    canvas.width = cw;
    canvas.height = ch;
  }
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, cw, ch);
  if (!msg || !msg.width || !msg.height) return;
  const scale = Math.min(cw / msg.width, ch / msg.height);
  const ox = (cw - msg.width * scale) / 2;
  const oy = (ch - msg.height * scale) / 2;
  ctx.lineWidth = Math.max(2, 2 * dpr);
  ctx.font = `${Math.round(13 * dpr)}px ui-monospace, Menlo, Consolas, monospace`;
  ctx.textBaseline = 'bottom';
  for (const d of msg.detections || []) {
    const [x, y, w, h] = d.box;
    const bx = ox + x * scale, by = oy + y * scale, bw = w * scale, bh = h * scale;
    ctx.strokeStyle = '#34e0a1';
    ctx.strokeRect(bx, by, bw, bh);
    const text = `${d.label}${Number.isInteger(d.track) ? ' #' + d.track : ''} ${d.score.toFixed(2)}`;
    const tw = ctx.measureText(text).width + 8 * dpr;
    const th = 18 * dpr;
    const ty = by - th < 0 ? by + th : by;
    ctx.fillStyle = '#34e0a1';
    ctx.fillRect(bx - ctx.lineWidth / 2, ty - th, tw, th);
    ctx.fillStyle = '#08130e';
    ctx.fillText(text, bx + 4 * dpr - ctx.lineWidth / 2, ty - 3 * dpr);
  }
}

export function note(el, text, bad = false) {
  el.textContent = text || '';
  el.className = bad ? 'note bad' : 'note';
}

/** Appends a line to a connection log (newest first, at most 8 kept). */
export function logLine(ol, text) {
  const li = document.createElement('li');
  const t = new Date();
  li.textContent = `${t.toTimeString().slice(0, 8)} ${text}`;
  ol.prepend(li);
  while (ol.children.length > 8) ol.lastChild.remove();
}
