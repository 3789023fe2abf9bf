// The Live panel's watcher: an invisible component inside the panel's fragment. The pose
// component broadcasts each verdict's panel signature (formcheck/run/live/landmarks.py: reps, cue,
// hold seconds, set-up checks) on a BroadcastChannel named by the page (same origin, this tab's
// session only); when it differs from what the panel last showed, this component posts it as
// its value, which reruns only the panel's fragment: the panel refreshes when it has something
// new to show, at most every MIN_MS, instead of on a timer.
const MIN_MS = 500;
let chan = null, name = null, latest = null, shown = null, timer = null, sentAt = -1e9, rendered = false;

function post(type, extra) {
  window.parent.postMessage({ isStreamlitMessage: true, apiVersion: 1, type, ...extra }, "*");
}

window.addEventListener("message", (ev) => {
  if (ev.data?.type !== "streamlit:render") return;
  rendered = true;
  const args = ev.data.args || {};
  shown = args.shown ?? null;   // the signature the panel has just drawn
  if (args.channel && args.channel !== name) {
    if (chan) chan.close();
    name = args.channel;
    chan = new BroadcastChannel(name);
    chan.onmessage = (m) => { latest = m.data; flush(); };
  }
  post("streamlit:setFrameHeight", { height: 0 });
  flush();
});

function flush() {
  if (latest === null || latest === shown) return;
  const now = performance.now();
  if (now - sentAt < MIN_MS) {
    if (timer === null) timer = setTimeout(() => { timer = null; flush(); }, MIN_MS - (now - sentAt));
    return;
  }
  sentAt = now; shown = latest;
  window.fcPanelReruns = (window.fcPanelReruns || 0) + 1;   // read by the real-browser tests
  post("streamlit:setComponentValue", { dataType: "json", value: latest });
}

// As pose.js: "ready" until the first render arrives (a message before Streamlit listens is lost).
const ready = () => { if (!rendered) { post("streamlit:componentReady"); setTimeout(ready, 300); } };
window.addEventListener("load", ready);
ready();
