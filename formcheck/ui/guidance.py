"""First-time guidance on the Live page, before a set: what to do, where to put the camera
(a small picture for the view the exercise needs) and what the colours on the video mean."""

from __future__ import annotations

import streamlit as st

from formcheck.rules.definition import Definition

# Seen from above: the mat, the person lying along it, and where the camera stands.
# Our own static SVG (no user text in it), drawn by the browser like an image.
_SIDE = """<svg xmlns='http://www.w3.org/2000/svg' width='180' height='96' viewBox='0 0 180 96'
 role='img' aria-label='Camera at your side, about 2 metres away, at table height'>
<rect x='20' y='8' width='140' height='30' rx='4' fill='#dfe8f5'/>
<circle cx='40' cy='23' r='7' fill='#555'/><rect x='48' y='19' width='90' height='8' rx='4' fill='#555'/>
<rect x='78' y='70' width='24' height='16' rx='3' fill='#1565c0'/><circle cx='90' cy='78' r='5' fill='#fff'/>
<line x1='90' y1='68' x2='90' y2='42' stroke='#1565c0' stroke-width='2' stroke-dasharray='4 3'/>
<text x='108' y='82' font-family='sans-serif' font-size='11' fill='#333'>camera</text></svg>"""
_FRONT = """<svg xmlns='http://www.w3.org/2000/svg' width='180' height='96' viewBox='0 0 180 96'
 role='img' aria-label='Camera in front of you, about 2 metres away, at chest height'>
<circle cx='90' cy='16' r='8' fill='#555'/><rect x='80' y='26' width='20' height='26' rx='5' fill='#555'/>
<rect x='78' y='72' width='24' height='16' rx='3' fill='#1565c0'/><circle cx='90' cy='80' r='5' fill='#fff'/>
<line x1='90' y1='70' x2='90' y2='56' stroke='#1565c0' stroke-width='2' stroke-dasharray='4 3'/>
<text x='108' y='84' font-family='sans-serif' font-size='11' fill='#333'>camera</text></svg>"""

COLOURS = ("**Colours on the video:** green = that part is right; red = fix that part (the big line of "
           "text says how); grey = the camera cannot see it from here.")


def guidance(d: Definition) -> None:
    """Shown until the first set starts."""
    with st.container(border=True):
        st.markdown(f"**{d.name}: how it works**")
        pic, words = st.columns([1, 2])
        pic.image(_FRONT if d.view == "front" else _SIDE, width=180)
        words.markdown(f"1. **Camera:** {d.view_cue}\n"
                       "2. Press **START** under the video and allow the camera.\n"
                       f"3. **Do the exercise:** {d.description} Follow the big line of text beside the "
                       "video (it is also spoken).\n"
                       "4. Press **STOP** when you have finished the set.")
        st.caption(COLOURS)
