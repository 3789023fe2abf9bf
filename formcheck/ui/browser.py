"""Small pieces of browser-side JavaScript: camera availability and spoken cues."""

from __future__ import annotations

import json

import streamlit as st

# Runs in a same-origin iframe; the parent window holds the page's camera permission and
# the user's activation (speech synthesis may need it).
_CAMERA_CHECK = """
<div id="m" style="font-family:sans-serif;font-size:15px"></div>
<script>
const w = window.parent || window, el = document.getElementById("m");
const say = (t, bad) => { el.textContent = t; el.style.color = bad ? "#b00020" : "#1b5e20";
  el.dataset.state = bad ? "bad" : "ok"; };
const clip = " You can still check a recorded clip in the Clip review tab.";
if (!w.isSecureContext) {
  say("Camera blocked: the browser only allows cameras on http://localhost or HTTPS, and this page is "
      + w.location.origin + "." + clip, true);
} else if (!w.navigator.mediaDevices || !w.navigator.mediaDevices.enumerateDevices) {
  say("This browser gives no camera access to web pages." + clip, true);
} else {
  w.navigator.mediaDevices.enumerateDevices().then(ds => {
    const n = ds.filter(d => d.kind === "videoinput").length;
    if (!n) { say("No camera found: connect one (or close the app using it) and reload." + clip, true); return; }
    const ok = () => say("Camera found. Press START under the video and allow the camera.", false);
    if (!w.navigator.permissions) { ok(); return; }
    w.navigator.permissions.query({name: "camera"}).then(p => {
      if (p.state === "denied") say("Camera permission is blocked for this page: allow it in the browser's "
          + "site settings (camera icon in the address bar) and reload." + clip, true);
      else ok();
    }).catch(ok);
  }).catch(e => say("Cannot list cameras (" + e.name + ")." + clip, true));
}
</script>
"""


def camera_check() -> None:
    """Say up front why the camera cannot be used, instead of an endless spinner."""
    st.iframe(_CAMERA_CHECK, height=48)


def speak(text: str) -> None:
    """Speak ``text`` once with the browser's speech synthesis (no audio leaves the machine)."""
    # Only our own cue strings (from the exercise files), JSON-escaped, reach this HTML.
    st.iframe(
        "<script>const s = (window.parent || window).speechSynthesis;"
        f"if (s) {{ s.cancel(); s.speak(new SpeechSynthesisUtterance({json.dumps(text)})); }}</script>",
        height=1)


def rest_timer(seconds: float) -> None:
    """A countdown that runs in the browser (it keeps going when the stream stops), and says
    when the rest is over."""
    total = max(int(round(seconds)), 1)
    st.iframe(
        "<div id='t' style='font-family:sans-serif;font-size:22px;font-weight:600;color:#1b5e20'></div>"
        f"<script>let left = {total}; const el = document.getElementById('t');"
        "const show = () => { el.textContent = left > 0 ? `Rest: ${Math.floor(left / 60)}:`"
        " + String(left % 60).padStart(2, '0') : 'Rest over: start the next set'; };"
        "show(); const id = setInterval(() => { left -= 1; show(); if (left <= 0) { clearInterval(id);"
        " const s = (window.parent || window).speechSynthesis;"
        " if (s) s.speak(new SpeechSynthesisUtterance('Rest over. Start the next set.')); } }, 1000);"
        "</script>", height=40)


def notify(title: str, body: str, sound: bool = False) -> None:
    """A desktop notification from the page (Notification API; asks for permission the first
    time) and, optionally, a short tone (Web Audio). Only our own texts reach this HTML."""
    beep = ("const a = new (w.AudioContext || w.webkitAudioContext)(); const o = a.createOscillator();"
            "o.frequency.value = 660; o.connect(a.destination); o.start(); o.stop(a.currentTime + 0.25);"
            if sound else "")
    st.iframe(
        "<script>const w = window.parent || window;"
        f"const show = () => new w.Notification({json.dumps(title)}, {{body: {json.dumps(body)}}});"
        "if ('Notification' in w) { if (w.Notification.permission === 'granted') show();"
        " else if (w.Notification.permission !== 'denied') w.Notification.requestPermission().then("
        "p => { if (p === 'granted') show(); }); }"
        f"try {{ {beep} }} catch (e) {{}}</script>", height=1)
