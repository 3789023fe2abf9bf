// formcheck's in-browser pose component (Streamlit components v1, no build step).
// The camera and the MediaPipe PoseLandmarker (VIDEO mode, on a worker: pose_worker.js) run here; only landmarks go to the
// server and the server's verdict (joint statuses, cue, reps, hold) comes back and is drawn here.
// Landmarks travel on the landmark websocket (same origin, formcheck/run/live/websocket.py: each frame
// as soon as it is found, each reply on the same socket) opened at START with the one-time token
// in the args; when it cannot connect, batches go as component values (each one a Streamlit rerun of
// the component's fragment, the verdict back in the args). No rule is evaluated in this file.
import { drawOverlay } from "./overlay.js";

const SEND_MS = 100;          // component values: a batch at most every 100 ms (see the README's numbers)
const SOCKET_MIN_MS = 60;     // the socket: at most one message every 60 ms (at 30 fps two frames each;
                              // below ~16 fps each frame goes alone, at once). Halves the server's per-message cost.
const SOCKET_WAIT_MS = 3000;  // the landmark socket not open by then after START: component values
const RESEND_MS = 1500;       // no reply to a batch by then: send the unacknowledged frames again
const MAX_PENDING = 300;      // ~10 s at 30 fps; beyond that the oldest frames are dropped
const SLOW_FPS = 4;           // judged frames per second below which the server path is used (args.min_fps)
const SLOW_AFTER_MS = 6000;   // ... measured over the first 6 s after the first landmarks

const $ = (id) => document.getElementById(id);
const canvas = $("canvas"), ctx = canvas.getContext("2d"), video = $("video");
let args = {}, landmarker = null, stream = null, running = false, t0 = 0, lastTs = -1;
let frameSeq = 0, batchSeq = 0, pending = [], inflight = null, ackSeq = -1, sendTimer = null;
let lastPose = null, reply = {}, problem = null, delegate = "CPU";
// The server asks for fewer frames a second while it is behind (formcheck/run/live/pacing.py):
// camera frames coming sooner than that are not run through the model (nor sent).
let serverMaxFps = 0, lastModelCap = -1e9, busyShown = null, runningText = "";
// The panel beside the video reruns when a verdict changes what it shows (args.panel_channel:
// the page's watcher component listens, formcheck/ui/pose_component/watch/).
let panelChan = null, panelChanName = null, panelSent = null;
// The landmark socket: "none" (no token), "connecting", "open", "spent" (its set stopped: a new
// token comes with the page's next run) or "failed" (component values from then on).
let sock = null, sockState = "none", sockToken = null, sentSeq = -1, sockWaitFrom = null, lastStatusAt = 0;
let lastSockSend = -1e9, sockTimer = null;
// A token the page gave while no set runs: the socket opens at START (a page left open idle
// holds no connection). Refused at START (it expired: 10 min unclaimed), the page is asked once
// for a fresh one.
let tokenAhead = null, askedForToken = false;
let transport = "component values (the page gave no landmark socket token)", playingSeen = false, stopNotice = false;
const stats = { rttMs: [], frames: 0, inferMs: [], latencyMs: [], verdictMs: [], firstVerdictMs: null,
                startClick: 0, firstLandmarksMs: null, times: [], sent: 0, batches: 0 };
window.fcStats = stats;   // read by the real-browser tests
Object.defineProperty(stats, "transport", { get: () => transport });   // "websocket" or why not

function post(type, extra) {
  window.parent.postMessage({ isStreamlitMessage: true, apiVersion: 1, type, ...extra }, "*");
}
const setHeight = () => post("streamlit:setFrameHeight", { height: document.body.scrollHeight });
function say(text, bad) { $("status").textContent = text; $("status").dataset.bad = bad ? "1" : "0"; setHeight(); }

window.addEventListener("message", (ev) => {
  if (ev.data?.type !== "streamlit:render") return;
  if (!rendered) { rendered = true; setHeight(); }
  args = ev.data.args || {};
  if (args.socket_token && args.socket_token !== sockToken && args.socket_token !== tokenAhead) {
    // a new token: (re)connect now mid-set; else keep it until START (no idle socket per page load)
    if (running || askedForToken) connectSocket(args.socket_token);
    else tokenAhead = args.socket_token;
  }
  if (args.panel_channel && args.panel_channel !== panelChanName) {
    if (panelChan) panelChan.close();
    panelChanName = args.panel_channel; panelChan = new BroadcastChannel(panelChanName); panelSent = null;
  }
  if (!onSocket()) {   // component values: the verdict comes back in the args
    reply = args.reply || {};
    if (typeof reply.ack === "number" && reply.ack > ackSeq) onAck(reply.ack);
    tellPanel(reply);
  }
  if (args.stop && running) stop("The server stopped the set.");
  draw();
});

const onSocket = () => sockState === "open" || sockState === "spent";

function connectSocket(token) {
  if (sock) { const old = sock; sock = null; old.close(); }
  sockToken = token; sockState = "connecting"; sockWaitFrom = null;
  sentSeq = ackSeq;   // mid-set: the frames not judged yet go again (the server judges each once)
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + (args.socket_path || "/formcheck/landmarks");
  let s;
  try { s = new WebSocket(url); } catch (e) { socketFailed(`could not be opened (${e.message || e})`); return; }
  sock = s;
  s.onopen = () => s.send(JSON.stringify({ type: "hello", token }));
  s.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === "ready") { sockState = "open"; transport = "websocket"; if (running) send(true); }
    else if (m.type === "reply") onReply(m);
  };
  s.onclose = (ev) => {
    if (sock !== s) return;
    sock = null;
    if (ev.code === 4401 && sockState === "connecting" && !askedForToken) {
      askedForToken = true; sockState = "spent"; sockWaitFrom = null; notice("token");   // send() waits for it
      return;
    }
    if (ev.code === 1000 && sockState === "open") sockState = "spent";   // STOP: the set is over
    else if (sockState !== "spent") {
      socketFailed(sockState === "open" ? `closed (${ev.reason || "code " + ev.code})`
        : `could not connect${ev.reason ? ": " + ev.reason : ""}`);
    }
    if (stopNotice) { stopNotice = false; notice("stop"); }
  };
}

function socketFailed(why) {
  sockState = "failed";
  transport = `component values (the landmark websocket ${why})`;
  if (sock) { const s = sock; sock = null; s.close(); }
  if (running) send(true);   // the frames not judged yet go as component values
}

function tellPanel(r) {
  if (panelChan && r.panel !== undefined && r.panel !== panelSent) { panelSent = r.panel; panelChan.postMessage(r.panel); }
}

function onReply(m) {
  reply = m;
  tellPanel(m);
  serverMaxFps = m.max_fps > 0 ? m.max_fps : 0;
  if (running && (m.busy || null) !== busyShown) {   // the server's plain words, or back to normal
    busyShown = m.busy || null;
    say(busyShown || runningText, !!busyShown);
  }
  if (typeof m.ack === "number" && m.ack > ackSeq) onAck(m.ack);
  if (running && m.playing && !playingSeen) { playingSeen = true; notice("start"); }   // the page starts its panel timer
  draw();
}

function notice(kind) {   // START or STOP on the socket: one component value, so the page follows
  post("streamlit:setComponentValue", { dataType: "json",
    value: { notice: kind, batch: ++batchSeq, running, frames: [], status: status(problem ? { problem } : {}) } });
}

function onAck(ack) {
  const now = performance.now();
  for (const f of pending) {   // every frame judged by now: its landmarks-found (capture) -> verdict time
    if (f.i > ack) break;
    push(stats.latencyMs, now - f.done);
    push(stats.verdictMs, now - f.cap);
    if (f.i === ack && f.sent) push(stats.rttMs, now - f.sent);
    if (stats.firstVerdictMs === null) stats.firstVerdictMs = now - stats.startClick;
  }
  ackSeq = ack;
  pending = pending.filter((f) => f.i > ack);
  if (inflight !== null && ack >= inflight.last) { push(stats.rttMs, now - inflight.at); inflight = null; }
}

function push(arr, v, n = 300) { arr.push(v); if (arr.length > n) arr.shift(); }
const median = (a) => { if (!a.length) return null; const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const pct = (a, p) => { if (!a.length) return null; const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };

function fps() {
  const t = stats.times; if (t.length < 2) return 0;
  return (t.length - 1) * 1000 / (t[t.length - 1] - t[0]);
}

function status(extra) {
  const cam = stream?.getVideoTracks()[0]?.getSettings?.().frameRate;
  return { delegate, camera_fps: cam || null, fps: fps(), infer_ms: median(stats.inferMs), latency_p50_ms: pct(stats.latencyMs, 0.5),
           latency_p95_ms: pct(stats.latencyMs, 0.95), verdict_p95_ms: pct(stats.verdictMs, 0.95),
           rtt_p50_ms: pct(stats.rttMs, 0.5), rtt_p95_ms: pct(stats.rttMs, 0.95),
           first_verdict_ms: stats.firstVerdictMs, first_landmarks_ms: stats.firstLandmarksMs,
           frames: stats.frames, transport, ...extra };
}

function send(force) {
  if (!running && !force) return;
  const now = performance.now();
  if (sockState === "open") { sendSocket(force, now); return; }
  if (running && (sockState === "connecting" || sockState === "spent")) {   // a token on its way
    sockWaitFrom = sockWaitFrom ?? now;
    if (now - sockWaitFrom < SOCKET_WAIT_MS) return;
    socketFailed(sockState === "spent" ? "got no new token from the page" : `did not open in ${SOCKET_WAIT_MS / 1000} s`);
    return;
  }
  sendValue(force, now);
}

function sendSocket(force, now) {
  const fresh = pending.filter((f) => f.i > sentSeq);
  if (!fresh.length && !force) return;
  if (!force && now - lastSockSend < SOCKET_MIN_MS) {   // too soon: once the interval is over
    if (sockTimer === null) sockTimer = setTimeout(() => { sockTimer = null; send(false); }, SOCKET_MIN_MS - (now - lastSockSend));
    return;
  }
  lastSockSend = now;
  const msg = { batch: ++batchSeq, running, frames: fresh.map((f) => ({ i: f.i, t: f.t, w: f.w, h: f.h, lm: f.lm, wl: f.wl })) };
  if (force || now - lastStatusAt > 1000) { msg.status = status(); lastStatusAt = now; }
  for (const f of fresh) f.sent = now;
  if (fresh.length) sentSeq = fresh[fresh.length - 1].i;
  stats.sent += fresh.length; stats.batches += 1;
  sock.send(JSON.stringify(msg));
}

function sendValue(force, now) {
  const fresh = pending.filter((f) => f.i > ackSeq);
  if (inflight !== null && now - inflight.at < RESEND_MS && !force) return;   // one batch in flight
  if (!fresh.length && !force) return;
  batchSeq += 1;
  const frames = fresh.map((f) => ({ i: f.i, t: f.t, w: f.w, h: f.h, lm: f.lm, wl: f.wl }));
  inflight = fresh.length ? { last: fresh[fresh.length - 1].i, at: now } : null;
  stats.sent += frames.length; stats.batches += 1;
  post("streamlit:setComponentValue", { dataType: "json",
    value: { batch: batchSeq, running, frames, status: status(problem ? { problem } : {}) } });
}

function cannotRun(reason) {
  problem = reason;
  say(reason + " Switching to the server-side video path.", true);
  stopCamera();
  running = false;
  if (sock) { const s = sock; sock = null; s.close(); }
  sendValue(true, performance.now());   // a rerun: the page switches paths
}

function loadLandmarker() {
  if (typeof WebAssembly !== "object") return Promise.reject(new Error("this browser has no WebAssembly"));
  if (typeof Worker !== "function" || typeof VideoFrame !== "function") {
    return Promise.reject(new Error("this browser cannot hand video frames to a background thread"));
  }
  const abs = (u) => new URL(u, location.href).href;
  // A blob: worker inherits this page's CSP (a worker loaded from a URL would not).
  const src = `importScripts(${JSON.stringify(abs("./pose_worker.js"))});`;
  const w = new Worker(URL.createObjectURL(new Blob([src], { type: "text/javascript" })));
  return new Promise((resolve, reject) => {
    w.onmessage = (ev) => {
      if (ev.data.type === "ready") {
        delegate = ev.data.delegate; w.onmessage = onWorker;
        w.onerror = (e) => cannotRun(`The pose model stopped (${e.message || "worker error"}).`);
        resolve(w);
      }
      else if (ev.data.type === "error") { w.terminate(); reject(new Error(ev.data.message)); }
    };
    w.onerror = (e) => { w.terminate(); reject(new Error(e.message || "the pose worker failed")); };
    w.postMessage({ type: "init", bundle: abs("./vendor/vision_bundle.js"), wasm: abs("./vendor/wasm"),
                    model: abs(args.model_url), delegate: realGpu() ? "GPU" : "CPU" });
  });
}

function realGpu() {
  // A software WebGL (SwiftShader, llvmpipe) is far slower than the CPU delegate: use the GPU
  // delegate only on a hardware renderer.
  if (args.delegate === "CPU") return false;
  try {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (!gl) return false;
    const ext = gl.getExtension("WEBGL_debug_renderer_info");
    const name = ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : "";
    return !!name && !/swiftshader|llvmpipe|software|basic render/i.test(name);
  } catch (e) { return false; }
}

async function start() {
  $("start").disabled = true;
  problem = null; stats.startClick = performance.now(); stats.firstVerdictMs = null; stats.firstLandmarksMs = null;
  stats.times = []; pending = []; inflight = null; ackSeq = -1; lastPose = null; reply = {};
  sentSeq = -1; playingSeen = false; sockWaitFrom = null; serverMaxFps = 0; busyShown = null;
  askedForToken = false;
  if (tokenAhead) { const t = tokenAhead; tokenAhead = null; connectSocket(t); }   // opens while the model loads
  say("Starting the camera and the pose model...");
  try {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error("no camera access in this browser");
    const cam = navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
    const [s, lm] = await Promise.all([cam, landmarker ? Promise.resolve(landmarker) : loadLandmarker()]);
    stream = s; landmarker = lm;
  } catch (e) {
    $("start").disabled = false;
    if (e && (e.name === "NotAllowedError" || e.name === "NotFoundError")) {
      say(`Camera not available (${e.name}): allow it for this page, or check a recorded clip in Clip review.`, true);
      return;
    }
    cannotRun(`The pose model could not start in this browser (${e?.message || e}).`);
    return;
  }
  video.srcObject = stream;
  await video.play();
  running = true; t0 = performance.now(); frameSeq = 0; busy = null;
  $("stop").disabled = false;
  const rate = args.max_fps > 0 ? `, ${args.max_fps} frames a second` : "";
  runningText = `Running: pose model in this browser (${delegate}${rate}); only landmarks are sent.`;
  say(runningText);
  sendTimer = setInterval(() => send(false), SEND_MS);
  send(true);   // on the socket: the set starts on the server now
  next();
}

let lastRun = -1e9;   // when the model last got a frame (args.max_fps)

function next() {
  if (!running) return;
  if (args.max_fps > 0) {   // the desk monitor: a timer at its low rate, no per-frame callback
    if (busy === null) schedule();   // else the worker's result schedules the next sample
    return;
  }
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(onFrame);
  else requestAnimationFrame(onFrame);
}

// The next sample's timer is set from the worker's result (a message task), not from a timer
// callback: a chain of timers is what Chrome throttles hardest in a background tab (to once a
// minute after 5 min hidden); a hidden tab's timers still run at most once a second.
function schedule() {
  setTimeout(tick, Math.max(0, lastRun + 1000 / args.max_fps - performance.now()));
}

function tick() {
  if (!running || busy !== null) return;
  if (video.readyState < 2) { setTimeout(tick, 100); return; }   // no picture yet
  lastRun = performance.now();
  onFrame();
}

let busy = null;   // the frame the worker is working on

function onFrame() {
  if (!running) return;
  const cap = performance.now();
  if (busy === null && !(serverMaxFps > 0 && cap - lastModelCap < 1000 / serverMaxFps - 5)) {
    lastModelCap = cap;
    // A snapshot: the <video> itself could change frame during the 40-140 ms call.
    const vf = new VideoFrame(video, { timestamp: Math.round(cap * 1000) });
    // The landmarker's clock must increase over its whole life (START again too); the
    // server's is the time since this START.
    const ts = Math.max(Math.round(cap), lastTs + 1);
    lastTs = ts;
    busy = { id: frameSeq++, cap, ts, t: Math.round(cap - t0), w: video.videoWidth, h: video.videoHeight,
             keep: vf.clone() };
    landmarker.postMessage({ type: "frame", id: busy.id, ts, frame: vf }, [vf]);
  }
  next();
}

function onWorker(ev) {
  const m = ev.data;
  if (m.type === "error") { cannotRun(`The pose model failed on a frame (${m.message}).`); return; }
  if (m.type !== "result" || busy === null || m.id !== busy.id) return;
  const b = busy;
  busy = null;
  if (!running) { b.keep.close(); return; }
  const done = performance.now();
  push(stats.inferMs, m.infer_ms); push(stats.times, done, 60); stats.frames += 1;
  const f = { i: b.id, t: b.t, w: b.w, h: b.h, cap: b.cap, done, lm: m.lm, wl: m.wl };
  if (f.lm && stats.firstLandmarksMs === null) stats.firstLandmarksMs = done - stats.startClick;
  pending.push(f);
  if (pending.length > MAX_PENDING) pending.shift();
  lastPose = { lm: f.lm, w: b.w, h: b.h };
  if (canvas.width !== b.w || canvas.height !== b.h) { canvas.width = b.w; canvas.height = b.h; }
  ctx.drawImage(b.keep, 0, 0, b.w, b.h);
  b.keep.close();
  draw(true);
  if (args.max_fps > 0) schedule();   // the monitor's next sample
  if (sockState === "open") send(false);   // on the socket each frame goes at once
  if (done - t0 > SLOW_AFTER_MS && stats.firstLandmarksMs !== null && fps() < (args.min_fps ?? SLOW_FPS)) {
    cannotRun(`The pose model is too slow in this browser (${fps().toFixed(1)} frames a second).`);
  }
}


function draw(framePainted) {
  if (!framePainted && !running) return;
  drawOverlay(ctx, lastPose, reply, args);
}

function stopCamera() {
  if (sendTimer) { clearInterval(sendTimer); sendTimer = null; }
  if (stream) { stream.getTracks().forEach((t) => t.stop()); stream = null; }
  video.srcObject = null;
}

function stop(msg) {
  running = false; askedForToken = false;
  stopCamera();
  stopNotice = sockState === "open";   // once the socket closes after STOP, the page is told
  send(true);   // the last frames and running=false: the server ends the set
  $("start").disabled = false; $("stop").disabled = true;
  say(msg || "Stopped. Press START for a new set.");
}

$("start").addEventListener("click", () => start());
$("stop").addEventListener("click", () => stop());
window.addEventListener("pagehide", () => { if (landmarker) landmarker.postMessage({ type: "close" }); });
// Streamlit registers this frame's message listener around its load event; say "ready" until
// the first render arrives (sent before that, the message is ignored and the frame stays hidden).
let rendered = false;
const ready = () => { if (!rendered) { post("streamlit:componentReady"); setHeight(); setTimeout(ready, 300); } };
window.addEventListener("load", ready);
ready();
