// A dedicated worker that ticks at the publisher's frame rate: browsers slow a hidden tab's own
// timers to once a second (or once a minute), but not a worker's, so a camera keeps publishing
// while its tab is in the background. postMessage(ms) sets the period; 0 stops.
let timer = null;
onmessage = (ev) => {
  clearInterval(timer);
  timer = ev.data > 0 ? setInterval(() => postMessage(0), ev.data) : null;
};
