// formcheck's in-browser pose component (Streamlit components v1, no build step; ES modules).
// The camera and the MediaPipe PoseLandmarker (VIDEO mode, on a worker: landmarker.js,
// pose_worker.js) run here; only landmarks go to the server (transport.js) and the server's
// verdict (joint statuses, cue, reps, hold) comes back and is drawn here (overlay.js). The
// component's own figures are in stats.js. No rule is evaluated in these files.
import { loadLandmarker } from "./landmarker.js";
import { drawOverlay } from "./overlay.js";
import { fps, push, stats, status as figures } from "./stats.js";
import { SEND_MS, Transport } from "./transport.js";

const SLOW_FPS = 4;           // judged frames per second below which the server path is used (args.min_fps)
const SLOW_AFTER_MS = 6000;   // ... measured over the first 6 s after the first landmarks

const $ = (id) => document.getElementById(id);
const canvas = $("canvas"), ctx = canvas.getContext("2d"), video = $("video");
// The last camera frame without the overlay: a verdict that arrives between two frames is drawn
// over it, not over the previous verdict's text (which showed through: "phase topng").
const base = document.createElement("canvas"), baseCtx = base.getContext("2d");
let args = {}, landmarker = null, stream = null, running = false, t0 = 0, lastTs = 0;   // 0: the worker's warm-up frame
let frameSeq = 0, sendTimer = null;
let lastPose = null, reply = {}, problem = null, delegate = "CPU";
// While the server is behind (transport.serverMaxFps) its plain words replace the running text.
let lastModelCap = -1e9, busyShown = null, runningText = "";
// The panel beside the video reruns when a verdict changes what it shows (args.panel_channel:
// the page's watcher component listens, formcheck/ui/pose_component/watch/).
let panelChan = null, panelChanName = null, panelSent = null;
let playingSeen = false;
// The landmarker is made once the component is on screen (not at START: its wasm and model take
// seconds to load and compile) and kept for every later set; modelLoad: its promise.
let modelLoad = null, modelTimes = {};

function post(type, extra) {
  window.parent.postMessage({ isStreamlitMessage: true, apiVersion: 1, type, ...extra }, "*");
}
const setHeight = () => post("streamlit:setFrameHeight", { height: document.body.scrollHeight });
function say(text, bad) { $("status").textContent = text; $("status").dataset.bad = bad ? "1" : "0"; setHeight(); }
const status = (extra) => figures(stream, delegate, tx.desc, extra);

const tx = new Transport({
  running: () => running, status, problem: () => problem, socketPath: () => args.socket_path, post, onReply,
});
window.fcStats = stats;   // read by the real-browser tests
Object.defineProperty(stats, "transport", { get: () => tx.desc });   // "websocket" or why not
Object.defineProperty(stats, "serverMaxFps", { get: () => tx.serverMaxFps });   // the server's limit (0: none)
Object.defineProperty(stats, "serverSendMs", { get: () => tx.serverSendMs });   // its message interval (0: ours)
Object.defineProperty(stats, "modelReady", { get: () => landmarker !== null });

window.addEventListener("message", (ev) => {
  if (ev.data?.type !== "streamlit:render") return;
  if (!rendered) { rendered = true; setHeight(); }
  args = ev.data.args || {};
  preload();
  tx.offerToken(args.socket_token);
  if (args.panel_channel && args.panel_channel !== panelChanName) {
    if (panelChan) panelChan.close();
    panelChanName = args.panel_channel; panelChan = new BroadcastChannel(panelChanName); panelSent = null;
  }
  if (!tx.onSocket()) {   // component values: the verdict comes back in the args
    reply = args.reply || {};
    if (typeof reply.ack === "number" && reply.ack > tx.ackSeq) tx.onAck(reply.ack);
    tellPanel(reply);
  }
  if (args.stop && running) stop("The server stopped the set.");
  draw();
});

function tellPanel(r) {
  if (panelChan && r.panel !== undefined && r.panel !== panelSent) { panelSent = r.panel; panelChan.postMessage(r.panel); }
}

function onReply(m) {   // a verdict on the socket (transport.js has taken its ack and pacing)
  reply = m;
  tellPanel(m);
  if (running && (m.busy || null) !== busyShown) {   // the server's plain words, or back to normal
    busyShown = m.busy || null;
    say(busyShown || runningText, !!busyShown);
  }
  if (running && m.playing && !playingSeen) { playingSeen = true; tx.notice("start"); }   // the page starts its panel timer
  draw();
}

// On screen (a hidden tab's frame has no width: the Desk monitor's model loads when its tab opens).
function preload() {
  if (!modelLoad && args.model_url && window.innerWidth > 0) model().catch(() => {});   // START says why
}
window.addEventListener("resize", preload);

function model() {
  if (!modelLoad) {
    const t = performance.now();
    modelLoad = loadLandmarker(args, onWorker, cannotRun).then((lm) => {
      landmarker = lm.worker; delegate = lm.delegate; modelTimes = { ...lm.load, total_ms: performance.now() - t };
      return lm.worker;
    }, (e) => { modelLoad = null; throw e; });   // START tries again
  }
  return modelLoad;
}

function cannotRun(reason) {
  problem = reason;
  say(reason + " Switching to the server-side video path.", true);
  stopCamera();
  running = false;
  tx.closeSocket();
  tx.sendValue(true, performance.now());   // a rerun: the page switches paths
}

async function start() {
  $("start").disabled = true;
  problem = null; stats.startClick = performance.now(); stats.firstVerdictMs = null; stats.firstLandmarksMs = null;
  stats.times = []; stats.load = {}; stats.firstInferMs = null; lastPose = null; reply = {}; playingSeen = false; busyShown = null;
  tx.reset();   // a token kept since the page gave it: the socket opens while the model loads
  say("Starting the camera and the pose model...");
  try {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error("no camera access in this browser");
    const since = (t) => performance.now() - t;
    const cam = navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false })
      .then((s) => { stats.load.camera_ms = since(stats.startClick); return s; });
    const ahead = landmarker !== null;   // loaded before this START (on screen, or an earlier set)
    const [s] = await Promise.all([cam, model()]);
    stream = s;
    Object.assign(stats.load, modelTimes, { ready_ms: since(stats.startClick), ahead });
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
  sendTimer = setInterval(() => tx.send(false), SEND_MS);
  tx.send(true);   // on the socket: the set starts on the server now
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
  const cap = performance.now(), maxFps = tx.serverMaxFps;
  if (busy === null && !(maxFps > 0 && cap - lastModelCap < 1000 / maxFps - 5)) {
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
  stats.firstInferMs = stats.firstInferMs ?? m.infer_ms;
  const f = { i: b.id, t: b.t, w: b.w, h: b.h, cap: b.cap, done, lm: m.lm, wl: m.wl };
  if (f.lm && stats.firstLandmarksMs === null) stats.firstLandmarksMs = done - stats.startClick;
  lastPose = { lm: f.lm, w: b.w, h: b.h };
  for (const c of [canvas, base]) if (c.width !== b.w || c.height !== b.h) { c.width = b.w; c.height = b.h; }
  baseCtx.drawImage(b.keep, 0, 0, b.w, b.h);
  b.keep.close();
  draw(true);
  if (args.max_fps > 0) schedule();   // the monitor's next sample
  tx.add(f);   // on the socket each frame goes at once
  if (done - t0 > SLOW_AFTER_MS && stats.firstLandmarksMs !== null && fps() < (args.min_fps ?? SLOW_FPS)) {
    cannotRun(`The pose model is too slow in this browser (${fps().toFixed(1)} frames a second).`);
  }
}

function draw(framePainted) {
  if (!framePainted && !running) return;
  ctx.drawImage(base, 0, 0);
  drawOverlay(ctx, lastPose, reply, args);
}

// For the real-browser tests: the share of the picture's pixels that differ from the last camera
// frame with only the current verdict drawn over it (0: nothing of an earlier verdict is left).
window.fcOverlayResidue = () => {
  if (!lastPose || !canvas.width) return null;
  const c = document.createElement("canvas"), k = c.getContext("2d");
  c.width = canvas.width; c.height = canvas.height;
  k.drawImage(base, 0, 0);
  drawOverlay(k, lastPose, reply, args);
  const a = ctx.getImageData(0, 0, c.width, c.height).data, b = k.getImageData(0, 0, c.width, c.height).data;
  let off = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 24) off++;
  }
  return off / (a.length / 4);
};

function stopCamera() {
  if (sendTimer) { clearInterval(sendTimer); sendTimer = null; }
  if (stream) { stream.getTracks().forEach((t) => t.stop()); stream = null; }
  video.srcObject = null;
}

function stop(msg) {
  running = false; tx.askedForToken = false;
  stopCamera();
  tx.stopNotice = tx.state === "open";   // once the socket closes after STOP, the page is told
  tx.send(true);   // the last frames and running=false: the server ends the set
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
