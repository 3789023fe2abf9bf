// The PoseLandmarker on its own thread (a classic worker started from a blob: URL, so that it
// inherits the page's Content-Security-Policy and the bundle's telemetry stays blocked). The
// 40-140 ms detect call would otherwise hold the page's main thread, which Streamlit's own page
// shares with this same-origin iframe, and delay every verdict coming back.
/* global Vision */
let landmarker = null;

// The landmarker's creation is the wasm's compile, then the model's load: time the first part.
function timeWasmCompile() {
  const times = {};
  const real = WebAssembly.instantiateStreaming;
  if (typeof real !== "function") return times;
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const t = performance.now();
    const out = await real.call(WebAssembly, source, imports);
    times.wasm_ms = performance.now() - t;
    return out;
  };
  return times;
}

self.onmessage = async (ev) => {
  const m = ev.data;
  if (m.type === "init") {
    try {
      // where the load's time goes (window.fcStats.load, printed by benchmarks/bench_live_browser.py)
      const t0 = performance.now();
      const wasmTimes = timeWasmCompile();
      importScripts(m.bundle);
      const t1 = performance.now();
      const files = await Vision.FilesetResolver.forVisionTasks(m.wasm);
      const make = (d) => Vision.PoseLandmarker.createFromOptions(files, {
        baseOptions: { modelAssetPath: m.model, delegate: d }, runningMode: "VIDEO", numPoses: 1,
        minPoseDetectionConfidence: 0.5, minPosePresenceConfidence: 0.5, minTrackingConfidence: 0.5 });
      let delegate = m.delegate;
      try { landmarker = await make(delegate); } catch (e) {
        if (delegate === "CPU") throw e;
        delegate = "CPU";   // no usable GPU after all
        landmarker = await make("CPU");
      }
      const t2 = performance.now();
      // The first detect call builds the graph's runtime (seen: 1.4-2 s here, CPU delegate): done
      // now, on an empty picture, so that the patient's first frame is judged at the usual speed.
      // Timestamp 0: every camera frame's comes later (pose.js: its page clock, > 0).
      landmarker.detectForVideo(new ImageData(640, 480), 0);
      self.postMessage({ type: "ready", delegate, load: { bundle_ms: t1 - t0, landmarker_ms: t2 - t1,
                                                          warmup_ms: performance.now() - t2, ...wasmTimes } });
    } catch (e) {
      self.postMessage({ type: "error", message: String((e && e.message) || e) });
    }
  } else if (m.type === "frame") {
    const t = performance.now();
    try {
      const res = landmarker.detectForVideo(m.frame, m.ts);
      const r5 = (v) => Math.round(v * 1e5) / 1e5, r3 = (v) => Math.round(v * 1e3) / 1e3;
      let lm = null, wl = null;
      if (res.landmarks && res.landmarks.length) {
        lm = res.landmarks[0].flatMap((p) => [r5(p.x), r5(p.y), r5(p.z), r3(p.visibility ?? 0), r3(p.presence ?? 0)]);
        wl = res.worldLandmarks[0].flatMap((p) => [r5(p.x), r5(p.y), r5(p.z)]);
      }
      self.postMessage({ type: "result", id: m.id, lm, wl, infer_ms: performance.now() - t });
    } catch (e) {
      self.postMessage({ type: "error", message: String((e && e.message) || e) });
    } finally {
      m.frame.close();
    }
  } else if (m.type === "close" && landmarker) {
    landmarker.close();
    landmarker = null;
  }
};
