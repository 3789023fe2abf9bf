// formcheck's pose component: the PoseLandmarker's worker (pose_worker.js) started, its wasm,
// bundle and model loaded from this app's own server, GPU delegate only on a hardware renderer.

// Resolves { worker, delegate, load (ms: bundle_ms, landmarker_ms) } once the model is ready; from then on the worker's messages go
// to onWorker and a crash of the worker to onCrash(reason).
// urls: the component's args (bundle_url, wasm_url, model_url: versioned, cacheable URLs of this
// server, formcheck/ui/pose_component/static.py; the bundle and wasm from ./vendor/ without them).
export function loadLandmarker(urls, onWorker, onCrash) {
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
        w.onmessage = onWorker;
        w.onerror = (e) => onCrash(`The pose model stopped (${e.message || "worker error"}).`);
        resolve({ worker: w, delegate: ev.data.delegate, load: ev.data.load });
      }
      else if (ev.data.type === "error") { w.terminate(); reject(new Error(ev.data.message)); }
    };
    w.onerror = (e) => { w.terminate(); reject(new Error(e.message || "the pose worker failed")); };
    w.postMessage({ type: "init", bundle: abs(urls.bundle_url || "./vendor/vision_bundle.js"),
                    wasm: abs(urls.wasm_url || "./vendor/wasm"), model: abs(urls.model_url),
                    delegate: realGpu(urls.delegate) ? "GPU" : "CPU" });
  });
}

function realGpu(delegateArg) {
  // A software WebGL (SwiftShader, llvmpipe) is far slower than the CPU delegate: use the GPU
  // delegate only on a hardware renderer.
  if (delegateArg === "CPU") return false;
  try {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (!gl) return false;
    const ext = gl.getExtension("WEBGL_debug_renderer_info");
    const name = ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : "";
    return !!name && !/swiftshader|llvmpipe|software|basic render/i.test(name);
  } catch (e) { return false; }
}
