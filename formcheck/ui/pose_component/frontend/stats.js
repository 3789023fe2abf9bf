// formcheck's pose component: its own figures (judged fps, inference ms, capture-to-verdict
// latency, START to first landmarks / verdict), kept here, sent to the server with the
// landmarks (the performance panel) and read by the real-browser tests as window.fcStats.
export const stats = { rttMs: [], frames: 0, inferMs: [], latencyMs: [], verdictMs: [], firstVerdictMs: null,
                       startClick: 0, firstLandmarksMs: null, times: [], sent: 0, batches: 0,
                       // START: camera_ms, ready_ms (since the click: camera open, model ready); the model's
                       // own load (wherever it ran: at START or before): bundle_ms, landmarker_ms (wasm and model
                       // fetched and compiled, graph built), warmup_ms (first detect), total_ms; ahead: it was
                       // ready before START; socket_ms: the landmark socket ready (since the click)
                       load: {}, firstInferMs: null };

export function push(arr, v, n = 300) { arr.push(v); if (arr.length > n) arr.shift(); }
export const median = (a) => { if (!a.length) return null; const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
export const pct = (a, p) => { if (!a.length) return null; const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };

// Frames the model ran on per second, over the last 60 (stats.times: when each was done).
export function fps() {
  const t = stats.times; if (t.length < 2) return 0;
  return (t.length - 1) * 1000 / (t[t.length - 1] - t[0]);
}

// The figures the server's performance panel shows. stream: the camera's MediaStream (or null).
export function status(stream, delegate, transport, extra) {
  const cam = stream?.getVideoTracks()[0]?.getSettings?.().frameRate;
  return { delegate, camera_fps: cam || null, fps: fps(), infer_ms: median(stats.inferMs), latency_p50_ms: pct(stats.latencyMs, 0.5),
           latency_p95_ms: pct(stats.latencyMs, 0.95), verdict_p95_ms: pct(stats.verdictMs, 0.95),
           rtt_p50_ms: pct(stats.rttMs, 0.5), rtt_p95_ms: pct(stats.rttMs, 0.95),
           first_verdict_ms: stats.firstVerdictMs, first_landmarks_ms: stats.firstLandmarksMs,
           frames: stats.frames, transport, ...extra };
}
