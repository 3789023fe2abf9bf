// formcheck's pose component: how the landmarks reach the server and the verdicts come back.
// On the landmark websocket (same origin, formcheck/run/live/websocket.py: each frame as soon as
// it is found, each reply on the same socket) opened at START with the one-time token in the
// args; when it cannot connect, batches go as component values (each one a Streamlit rerun of
// the component's fragment, the verdict back in the args). The server's pacing
// (formcheck/run/live/pacing.py) comes back in each reply: send_ms (fewer, larger messages: kept
// in serverSendMs) and max_fps (fewer frames a second: serverMaxFps).
import { push, stats } from "./stats.js";

export const SEND_MS = 100;   // component values: a batch at most every 100 ms (see the README's numbers)
const SOCKET_MIN_MS = 60;     // the socket: at most one message every 60 ms (at 30 fps two frames each;
                              // below ~16 fps each frame goes alone, at once). Halves the server's per-message cost.
const SOCKET_WAIT_MS = 3000;  // the landmark socket not open by then after START: component values
const RESEND_MS = 1500;       // no reply to a batch by then: send the unacknowledged frames again
const MAX_PENDING = 300;      // ~10 s at 30 fps; beyond that the oldest frames are dropped

// page: { running(), status(extra) (the figures), problem(), socketPath(), post(type, extra),
//         onReply(m) (a verdict on the socket: draw it) }.
export class Transport {
  constructor(page) {
    this.page = page;
    this.batchSeq = 0; this.pending = []; this.inflight = null; this.ackSeq = -1;
    // The landmark socket: "none" (no token), "connecting", "open", "spent" (its set stopped: a new
    // token comes with the page's next run) or "failed" (component values from then on).
    this.sock = null; this.state = "none"; this.token = null; this.sentSeq = -1; this.waitFrom = null;
    this.lastStatusAt = 0; this.lastSockSend = -1e9; this.sockTimer = null;
    // A token the page gave while no set runs: the socket opens at START (a page left open idle
    // holds no connection). Refused at START (it expired: 10 min unclaimed), the page is asked once
    // for a fresh one.
    this.tokenAhead = null; this.askedForToken = false; this.stopNotice = false;
    this.desc = "component values (the page gave no landmark socket token)";   // "websocket" or why not
    // The server asks for fewer frames a second while it is behind (formcheck/run/live/pacing.py):
    // camera frames coming sooner than that are not run through the model (nor sent). 0: no limit.
    this.serverMaxFps = 0;
    this.serverSendMs = 0;   // the server's message interval while it is behind (0: SOCKET_MIN_MS)
  }

  onSocket() { return this.state === "open" || this.state === "spent"; }

  // START: a new set; the token kept since the page gave it opens the socket now (while the model loads).
  reset() {
    this.pending = []; this.inflight = null; this.ackSeq = -1; this.sentSeq = -1; this.waitFrom = null;
    this.serverMaxFps = 0; this.serverSendMs = 0; this.askedForToken = false;
    if (this.tokenAhead) { const t = this.tokenAhead; this.tokenAhead = null; this.connect(t); }
  }

  // A token in the args: (re)connect now mid-set; else keep it until START (no idle socket per page load).
  offerToken(token) {
    if (!token || token === this.token || token === this.tokenAhead) return;
    if (this.page.running() || this.askedForToken) this.connect(token);
    else this.tokenAhead = token;
  }

  connect(token) {
    this.closeSocket();
    this.token = token; this.state = "connecting"; this.waitFrom = null;
    this.sentSeq = this.ackSeq;   // mid-set: the frames not judged yet go again (the server judges each once)
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + (this.page.socketPath() || "/formcheck/landmarks");
    let s;
    try { s = new WebSocket(url); } catch (e) { this.failed(`could not be opened (${e.message || e})`); return; }
    this.sock = s;
    s.onopen = () => s.send(JSON.stringify({ type: "hello", token }));
    s.onmessage = (ev) => {
      const m = JSON.parse(ev.data);
      if (m.type === "ready") {
        this.state = "open"; this.desc = "websocket"; stats.load.socket_ms = performance.now() - stats.startClick;
        if (this.page.running()) this.send(true);
      }
      else if (m.type === "reply") this.onReply(m);
    };
    s.onclose = (ev) => {
      if (this.sock !== s) return;
      this.sock = null;
      if (ev.code === 4401 && this.state === "connecting" && !this.askedForToken) {
        this.askedForToken = true; this.state = "spent"; this.waitFrom = null; this.notice("token");   // send() waits for it
        return;
      }
      if (ev.code === 1000 && this.state === "open") this.state = "spent";   // STOP: the set is over
      else if (this.state !== "spent") {
        this.failed(this.state === "open" ? `closed (${ev.reason || "code " + ev.code})`
          : `could not connect${ev.reason ? ": " + ev.reason : ""}`);
      }
      if (this.stopNotice) { this.stopNotice = false; this.notice("stop"); }
    };
  }

  closeSocket() { if (this.sock) { const s = this.sock; this.sock = null; s.close(); } }

  failed(why) {
    this.state = "failed";
    this.desc = `component values (the landmark websocket ${why})`;
    this.closeSocket();
    if (this.page.running()) this.send(true);   // the frames not judged yet go as component values
  }

  onReply(m) {
    this.serverMaxFps = m.max_fps > 0 ? m.max_fps : 0;
    this.serverSendMs = m.send_ms > 0 ? m.send_ms : 0;
    if (typeof m.ack === "number" && m.ack > this.ackSeq) this.onAck(m.ack);
    this.page.onReply(m);
  }

  // START or STOP on the socket: one component value, so the page follows.
  notice(kind) {
    const problem = this.page.problem();
    this.page.post("streamlit:setComponentValue", { dataType: "json",
      value: { notice: kind, batch: ++this.batchSeq, running: this.page.running(), frames: [],
               status: this.page.status(problem ? { problem } : {}) } });
  }

  onAck(ack) {
    const now = performance.now();
    for (const f of this.pending) {   // every frame judged by now: its landmarks-found (capture) -> verdict time
      if (f.i > ack) break;
      push(stats.latencyMs, now - f.done);
      push(stats.verdictMs, now - f.cap);
      if (f.i === ack && f.sent) push(stats.rttMs, now - f.sent);
      if (stats.firstVerdictMs === null) stats.firstVerdictMs = now - stats.startClick;
    }
    this.ackSeq = ack;
    this.pending = this.pending.filter((f) => f.i > ack);
    if (this.inflight !== null && ack >= this.inflight.last) { push(stats.rttMs, now - this.inflight.at); this.inflight = null; }
  }

  // A frame the model has done (f: i, t, w, h, cap, done, lm, wl): on the socket it goes at once.
  add(f) {
    this.pending.push(f);
    if (this.pending.length > MAX_PENDING) this.pending.shift();
    if (this.state === "open") this.send(false);
  }

  send(force) {
    const running = this.page.running();
    if (!running && !force) return;
    const now = performance.now();
    if (this.state === "open") { this.sendSocket(force, now); return; }
    if (running && (this.state === "connecting" || this.state === "spent")) {   // a token on its way
      this.waitFrom = this.waitFrom ?? now;
      if (now - this.waitFrom < SOCKET_WAIT_MS) return;
      this.failed(this.state === "spent" ? "got no new token from the page" : `did not open in ${SOCKET_WAIT_MS / 1000} s`);
      return;
    }
    this.sendValue(force, now);
  }

  sendSocket(force, now) {
    const fresh = this.pending.filter((f) => f.i > this.sentSeq);
    if (!fresh.length && !force) return;
    const every = Math.max(SOCKET_MIN_MS, this.serverSendMs);
    if (!force && now - this.lastSockSend < every) {   // too soon: once the interval is over
      if (this.sockTimer === null) {
        this.sockTimer = setTimeout(() => { this.sockTimer = null; this.send(false); }, every - (now - this.lastSockSend));
      }
      return;
    }
    this.lastSockSend = now;
    const msg = { batch: ++this.batchSeq, running: this.page.running(), frames: fresh.map(wire) };
    if (force || now - this.lastStatusAt > 1000) { msg.status = this.page.status({}); this.lastStatusAt = now; }
    for (const f of fresh) f.sent = now;
    if (fresh.length) this.sentSeq = fresh[fresh.length - 1].i;
    stats.sent += fresh.length; stats.batches += 1;
    this.sock.send(JSON.stringify(msg));
  }

  sendValue(force, now) {
    const fresh = this.pending.filter((f) => f.i > this.ackSeq);
    if (this.inflight !== null && now - this.inflight.at < RESEND_MS && !force) return;   // one batch in flight
    if (!fresh.length && !force) return;
    this.batchSeq += 1;
    const frames = fresh.map(wire);
    this.inflight = fresh.length ? { last: fresh[fresh.length - 1].i, at: now } : null;
    stats.sent += frames.length; stats.batches += 1;
    const problem = this.page.problem();
    this.page.post("streamlit:setComponentValue", { dataType: "json",
      value: { batch: this.batchSeq, running: this.page.running(), frames, status: this.page.status(problem ? { problem } : {}) } });
  }
}

const wire = (f) => ({ i: f.i, t: f.t, w: f.w, h: f.h, lm: f.lm, wl: f.wl });
