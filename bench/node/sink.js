// The Node floor for bench/hop.sh: a `ws` server that answers each binary message with a small
// JSON result carrying its seq, as bench's JettySink does. Runs until killed.
'use strict';
const WebSocket = require('ws');
const port = +process.argv[2];
const wss = new WebSocket.Server({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 4 << 20, backlog: 4096 });
wss.on('connection', (ws, req) => {
  const stream = req.url.substring(req.url.lastIndexOf('/') + 1);
  let seq = 0;
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    ws.send(`{"type":"result","stream":"${stream}","seq":${seq++},"dropped":0,"detections":[]}`);
  });
});
wss.on('listening', () => console.log(`node ws sink on :${port}`));
