// Drives the official botframework-directlinejs client (what Web Chat bundles) under Node against a
// running FaqBot, over WebSocket: start, post, see the echo with the same id, receive the reply, drop
// the socket, say something while away, reconnect and receive what was missed.
// Usage: node directline-client.js <domain e.g. http://127.0.0.1:5000/v3/directline> <token>
// Prints one JSON object per line; DirectLineNodeClientTests asserts on them.
'use strict';

global.XMLHttpRequest = require('xhr2'); // rxjs ajax (used by directlinejs) needs it under Node
const NodeWebSocket = require('ws');
const { DirectLine } = require('botframework-directlinejs');

const [domain, token] = process.argv.slice(2);
if (!domain || !token) {
  console.error('usage: node directline-client.js <domain> <token>');
  process.exit(64);
}

function out(record) {
  process.stdout.write(JSON.stringify(record) + '\n');
}

// A WebSocket that records which connection delivered each activity, and whose connection can be
// held back (gate) so the test decides when the client reconnects: no timing assumptions.
const sockets = [];
let gate = Promise.resolve();

class GatedWebSocket {
  constructor(url) {
    this.index = sockets.length;
    this.readyState = 0;
    this.ids = [];
    sockets.push(this);
    gate.then(() => {
      const ws = (this.ws = new NodeWebSocket(url));
      ws.onopen = event => { this.readyState = 1; out({ event: 'socket-open', socket: this.index }); this.onopen && this.onopen(event); };
      ws.onclose = event => { this.readyState = 3; this.onclose && this.onclose(event); };
      ws.onerror = event => { this.onerror && this.onerror(event); };
      ws.onmessage = event => {
        if (event.data) {
          for (const activity of JSON.parse(event.data).activities) {
            if (activity.id) {
              this.ids.push(activity.id);
            }
          }
        } else {
          out({ event: 'empty-frame', socket: this.index });
        }
        this.onmessage && this.onmessage(event);
      };
    });
  }

  send(data) { this.ws.send(data); }

  close() { if (this.ws) { this.ws.close(); } }
}
global.WebSocket = GatedWebSocket; // directlinejs checks for a global WebSocket to choose WebSocket mode

const received = [];
const waiters = [];
function waitFor(predicate) {
  const found = received.find(predicate);
  return found ? Promise.resolve(found) : new Promise(resolve => waiters.push({ predicate, resolve }));
}

const directLine = new DirectLine({ domain, token, webSocket: true, WebSocket: GatedWebSocket, random: () => 0 });
directLine.connectionStatus$.subscribe(status => out({ event: 'status', status }));
directLine.activity$.subscribe(
  activity => {
    received.push(activity);
    for (const waiter of waiters.filter(w => w.predicate(activity))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(activity);
    }
  },
  error => { out({ event: 'error', message: String(error && error.message || error) }); process.exit(2); });

function post(text, clientActivityID) {
  return new Promise((resolve, reject) => directLine
    .postActivity({ type: 'message', from: { id: 'node-user', name: 'Node' }, text, locale: 'en-US', channelData: { clientActivityID } })
    .subscribe(resolve, reject));
}

function summary(activity) {
  return {
    id: activity.id,
    type: activity.type,
    role: activity.from && activity.from.role,
    text: activity.text,
    replyToId: activity.replyToId,
    timestamp: activity.timestamp,
    clientActivityID: activity.channelData && activity.channelData.clientActivityID,
    entities: activity.entities || [],
    suggestedActions: activity.suggestedActions || null
  };
}

async function main() {
  const id1 = await post('can I drive afterward?', 'node-1');
  out({ event: 'posted', id: id1, conversationId: directLine.conversationId });
  out({ event: 'echo', ...summary(await waitFor(a => a.channelData && a.channelData.clientActivityID === 'node-1')) });
  out({ event: 'reply', ...summary(await waitFor(a => a.type === 'message' && a.from.role === 'bot' && a.replyToId === id1)) });

  // Drop the connection abruptly and hold the reconnection until something was said while away.
  let release;
  gate = new Promise(resolve => { release = resolve; });
  const dropped = sockets[sockets.length - 1];
  out({ event: 'dropped', socket: dropped.index, watermark: directLine.watermark });
  dropped.ws.terminate();

  const id2 = await post('and the day after?', 'node-2');
  out({ event: 'posted-while-away', id: id2 });
  release();

  const echo2 = await waitFor(a => a.id === id2);
  const reply2 = await waitFor(a => a.type === 'message' && a.from.role === 'bot' && a.replyToId === id2);
  const socket = sockets[sockets.length - 1];
  out({ event: 'missed', echo: summary(echo2), reply: summary(reply2), socket: socket.index, socketIds: socket.ids, droppedIds: dropped.ids });
  directLine.end();
  process.exit(0);
}

setTimeout(() => { out({ event: 'error', message: 'gave up after 90 s' }); process.exit(3); }, 90000).unref();
main().catch(error => { out({ event: 'error', message: String(error && error.message || error) }); process.exit(1); });
