"""Live coaching: landmarks from the patient's browser (messages, one-time tokens, the
landmark websocket, replay) and the server-side WebRTC fallback (``video``)."""
