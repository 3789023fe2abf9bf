// formcheck's pose component: the overlay drawn over the camera picture in the browser (the
// skeleton coloured by the server's joint statuses, reps, hold, phase and the cue). Drawing only:
// every verdict comes from the server (pose.js hands it over).
const GREEN = "rgb(40,200,90)", RED = "rgb(230,60,50)", GREY = "rgb(170,170,170)", WHITE = "#fff";

// A long cue ("Bring your head back over your shoulders") must not run off the canvas: wrapped
// at word boundaries into at most CUE_MAX_LINES lines, and smaller (to CUE_MIN_PX) if that is
// not enough. The last fit of each cue is in window.fcCueFits for the real-browser tests.
const CUE_MARGIN_PX = 12, CUE_MAX_LINES = 3, CUE_MIN_PX = 10;
const cueFits = {};
window.fcCueFits = cueFits;

// pose: { lm: 33 x 5 normalised landmarks flat, w, h: frame px } or null; reply: the server's
// verdict (colours, cue, reps, sides, hold_ms, phase); args: the component's (edges, min_visibility).
export function drawOverlay(ctx, pose, reply, args) {
  if (pose && pose.lm) skeleton(ctx, pose, reply, args);
  overlayText(ctx, reply);
}

function skeleton(ctx, pose, reply, args) {
  const { lm, w, h } = pose, minVis = args.min_visibility ?? 0.5, col = reply.colours || {};
  const px = (i) => [lm[i * 5] * w, lm[i * 5 + 1] * h], vis = (i) => lm[i * 5 + 3] >= minVis;
  const colour = (i) => ({ fail: RED, skipped: GREY, ok: GREEN }[col[i]] || WHITE);
  const unit = Math.max(Math.min(w, h) / 720, 0.4);
  ctx.lineWidth = Math.max(2, 4 * unit);
  for (const [a, b] of args.edges || []) {
    if (!vis(a) || !vis(b)) continue;
    ctx.strokeStyle = col[a] === "fail" || col[b] === "fail" ? RED : colour(col[a] ? a : b);
    const [xa, ya] = px(a), [xb, yb] = px(b);
    ctx.beginPath(); ctx.moveTo(xa, ya); ctx.lineTo(xb, yb); ctx.stroke();
  }
  for (let i = 11; i < 33; i++) {
    if (!vis(i)) continue;
    const [x, y] = px(i);
    ctx.fillStyle = colour(i); ctx.beginPath(); ctx.arc(x, y, Math.max(3, 5 * unit), 0, 2 * Math.PI); ctx.fill();
  }
}

function overlayText(ctx, reply) {
  const canvas = ctx.canvas;
  const h = canvas.height, base = Math.min(h, canvas.width * 0.75), size = Math.round(base * 0.036 * 1.3);
  ctx.font = `600 ${size}px sans-serif`; ctx.lineWidth = 4; ctx.strokeStyle = "#000"; ctx.fillStyle = WHITE;
  const lines = [];
  if (typeof reply.reps === "number") lines.push(`reps ${reply.reps}` + (reply.sides ? `  (L ${reply.sides.left || 0} / R ${reply.sides.right || 0})` : ""));
  if (reply.hold_ms) lines.push(`hold ${(reply.hold_ms / 1000).toFixed(1)} s`);
  if (reply.phase) lines.push(`phase ${reply.phase}`);
  lines.forEach((t, k) => { const y = size * (1.4 + 1.3 * k); ctx.strokeText(t, 10, y); ctx.fillText(t, 10, y); });
  if (reply.cue) {
    const fit = fitCue(ctx, reply.cue, Math.round(base * 0.055 * 1.3), canvas.width - 2 * CUE_MARGIN_PX);
    const widths = fit.lines.map((t) => ctx.measureText(t).width), boxW = Math.max(...widths);
    const step = fit.size * 1.2, bottom = h - fit.size * 0.8, top = bottom - step * (fit.lines.length - 1);
    ctx.fillStyle = "rgba(0,0,0,0.55)";
    ctx.fillRect((canvas.width - boxW) / 2 - 8, top - fit.size, boxW + 16, step * (fit.lines.length - 1) + fit.size * 1.35);
    ctx.fillStyle = reply.cue_fault ? "rgb(245,170,30)" : WHITE;
    fit.lines.forEach((t, k) => ctx.fillText(t, (canvas.width - widths[k]) / 2, top + step * k));
    cueFits[reply.cue] = { lines: fit.lines, size: fit.size, widths, canvas_width: canvas.width };
  }
}

function fitCue(ctx, text, size, maxW) {
  for (let px = size; ; px = Math.max(CUE_MIN_PX, Math.floor(px * 0.9))) {
    ctx.font = `700 ${px}px sans-serif`;
    const lines = wrapText(ctx, text, maxW);
    if (px === CUE_MIN_PX || (lines.length <= CUE_MAX_LINES && lines.every((t) => ctx.measureText(t).width <= maxW))) {
      return { size: px, lines };
    }
  }
}

function wrapText(ctx, text, maxW) {   // greedy, in the current font; one word too wide stays whole
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const t = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(t).width > maxW) { lines.push(line); line = word; } else line = t;
  }
  if (line) lines.push(line);
  return lines;
}
