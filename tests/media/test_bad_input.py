"""Every kind of bad input through `formcheck analyze`, generated at test time (mostly from a
real clip): a report and exit 0 where there is something to analyse, otherwise one line on
stderr and a non-zero exit; never a traceback, never a partial report left behind."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from formcheck.cli.main import main
from formcheck.media.video_reader import MAX_ANALYSIS_SIDE_PX, MediaReader

pytestmark = [pytest.mark.media, pytest.mark.slow]
REAL = "bridge/physioplus_bridging.mp4"     # 640x480, 30 fps, one labelled rep


def write_clip(path: Path, frames: Iterable[np.ndarray], fps: float = 30, codec: str = "libx264",
               times_ms: list[float] | None = None, rotation: int | None = None) -> Path:
    frames = list(frames)
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as out:
        s = out.add_stream(codec, rate=Fraction(fps).limit_denominator(1000))
        s.width, s.height = w, h
        s.pix_fmt = {"gif": "rgb8", "mjpeg": "yuvj420p"}.get(codec, "yuv420p")
        s.time_base = s.codec_context.time_base = Fraction(1, 1000)
        if rotation is not None:
            s.set_display_rotation(rotation)
        for i, img in enumerate(frames):
            f = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            f.pts = int(times_ms[i] if times_ms else round(i * 1000 / fps))
            f.time_base = Fraction(1, 1000)
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    return path


@pytest.fixture(scope="module")
def real_frames(media) -> list[np.ndarray]:
    with MediaReader(media / REAL) as r:
        return [f.rgb for f in r]


Make = Callable[[Path, list[np.ndarray], Path], Path]


def _truncated(tmp, fr, media):
    data = (media / REAL).read_bytes()
    (tmp / "t.mp4").write_bytes(data[: len(data) * 6 // 10])
    return tmp / "t.mp4"


def _corrupt(tmp, fr, media):
    data = bytearray((media / REAL).read_bytes())
    rng = np.random.default_rng(1)
    a, b = len(data) * 3 // 10, len(data) * 5 // 10
    data[a:b] = rng.integers(0, 256, b - a, dtype=np.uint8).tobytes()
    (tmp / "c.mp4").write_bytes(bytes(data))
    return tmp / "c.mp4"


def _jpeg_as_mp4(tmp, fr, media):
    _, buf = cv2.imencode(".jpg", cv2.cvtColor(fr[40], cv2.COLOR_RGB2BGR))
    (tmp / "photo.mp4").write_bytes(buf.tobytes())
    return tmp / "photo.mp4"


def _zero_frames(tmp, fr, media):
    with av.open(str(tmp / "z.mkv"), "w") as out:
        s = out.add_stream("mjpeg", rate=30)
        s.width, s.height, s.pix_fmt = 64, 48, "yuvj420p"
        out.start_encoding()          # header with a video stream, then no frame at all
    return tmp / "z.mkv"


def _unknown_codec(tmp, fr, media):
    p = write_clip(tmp / "u.avi", fr[:5], codec="mjpeg")
    data = p.read_bytes()
    assert b"MJPG" in data
    p.write_bytes(data.replace(b"MJPG", b"QQQQ").replace(b"mjpg", b"qqqq"))
    return p


def _scaled(side: int) -> Make:
    def make(tmp, fr, media):
        frames = [cv2.resize(f, (side, side * 9 // 16), interpolation=cv2.INTER_LINEAR) for f in fr[:3]]
        return write_clip(tmp / f"big{side}.mkv", frames, codec="mjpeg")
    return make


def _too_big(tmp, fr, media):
    return write_clip(tmp / "huge.mkv", [np.zeros((9000, 9000, 3), np.uint8)], codec="mjpeg")


def _portrait(tmp, fr, media):
    turned = [np.ascontiguousarray(np.rot90(f, 1)) for f in fr]   # stored sideways...
    return write_clip(tmp / "phone.mp4", turned, rotation=-90)    # ...shown upright by metadata


def _vfr(tmp, fr, media):
    times, t = [], 0.0
    for i in range(len(fr)):
        times.append(t)
        t += 25.0 if i % 3 else 60.0                                  # 40 fps with stalls
    return write_clip(tmp / "vfr.mp4", fr, times_ms=times)


def _long(tmp, fr, media):
    small = cv2.resize(fr[0], (64, 48))
    return write_clip(tmp / "long.mp4", [small] * 600, fps=2)       # 5 minutes


def _gif(tmp, fr, media):
    return write_clip(tmp / "a.gif", [cv2.resize(f, (320, 240)) for f in fr[::3]], fps=10, codec="gif")


def _still(tmp, fr, media):
    cv2.imwrite(str(tmp / "s.png"), cv2.cvtColor(fr[45], cv2.COLOR_RGB2BGR))
    return tmp / "s.png"


def _nobody(tmp, fr, media):
    return write_clip(tmp / "empty_room.mp4", [np.full_like(fr[0], 120)] * 30)


def _partly_there(tmp, fr, media):
    return write_clip(tmp / "late.mp4", [np.zeros_like(fr[0])] * 30 + fr)


def _two_people(tmp, fr, media):
    return write_clip(tmp / "two.mp4", [np.hstack([f, f[:, ::-1]]) for f in fr])


def _cropped(tmp, fr, media):
    return write_clip(tmp / "crop.mp4", [np.ascontiguousarray(f[:, 300:]) for f in fr])   # legs out of frame


def _dark(tmp, fr, media):
    return write_clip(tmp / "dark.mp4", [(f * 0.04).astype(np.uint8) for f in fr])


def _real(rel: str) -> Make:
    return lambda tmp, fr, media: media / rel


def ok_report(check: Callable[[dict], bool] | None = None):
    return ("ok", check)


CASES = {
    # files
    # an mp4 cut before its index (moov atom at the end, as phones write it) cannot be read
    "truncated": (_truncated, "bridge", ("error", "truncated or corrupt")),
    "corrupt middle": (_corrupt, "bridge", ok_report(lambda r: 10 < r["clip"]["frames"] <= 91)),
    "photo named .mp4": (_jpeg_as_mp4, "bridge", ok_report(lambda r: r["clip"]["frames"] == 1)),
    "zero frames": (_zero_frames, "bridge", ("error", "no decodable frames")),
    "unsupported codec": (_unknown_codec, "bridge", ("error", "cannot decode")),
    "4K": (_scaled(3840), "bridge", ok_report(lambda r: r["clip"]["width"] == MAX_ANALYSIS_SIDE_PX)),
    "8K": (_scaled(7680), "bridge", ok_report(lambda r: r["clip"]["width"] == MAX_ANALYSIS_SIDE_PX)),
    "beyond 8K": (_too_big, "bridge", ("error", "too large")),
    "portrait phone": (_portrait, "bridge", ok_report(
        lambda r: (r["clip"]["width"], r["clip"]["height"]) == (640, 480) and r["rep_count"] == 1)),
    "variable frame rate": (_vfr, "bridge", ok_report(
        lambda r: {b["t_ms"] - a["t_ms"] for a, b in zip(r["frames"], r["frames"][1:], strict=False)} >= {25, 60})),
    "very long (5 min)": (_long, "sitting", ok_report(lambda r: r["clip"]["frames"] == 600)),
    "GIF": (_gif, "bridge", ok_report(lambda r: r["clip"]["frames"] > 20)),
    "still image": (_still, "bridge", ok_report(lambda r: r["clip"]["frames"] == 1)),
    # content
    "nobody in view": (_nobody, "bridge", ok_report(
        lambda r: r["rep_count"] == 0 and not any(f["pose"] for f in r["frames"]))),
    "person for part": (_partly_there, "bridge", ok_report(
        lambda r: r["rep_count"] == 1 and not r["frames"][0]["pose"] and r["frames"][-1]["pose"]
        and r["summary"]["people_message"] is None)),
    "two people": (_two_people, "bridge", ok_report(
        lambda r: r["rep_count"] == 1 and "More than one person" in r["summary"]["people_message"])),
    "body partly out of frame": (_cropped, "bridge", ok_report(lambda r: r["rep_count"] == 0)),
    "wrong exercise: bridge as bird-dog": (_real(REAL), "bird_dog", ok_report(
        lambda r: r["rep_count"] == 0 and "hands and knees" in r["summary"]["position_message"])),
    "wrong exercise: bridge as sitting": (_real(REAL), "sitting", ok_report(
        lambda r: not r["summary"]["faults"] and "seated" in r["summary"]["position_message"])),
    "front view": (_real("sitting/ipd_sitting_front.mp4"), "sitting", ok_report(
        lambda r: r["summary"]["camera_message"] and not r["summary"]["faults"])),
    "very dark": (_dark, "bridge", ok_report()),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input(case, real_frames, media, tmp_path, capsys):
    make, exercise, (kind, expect) = CASES[case]
    clip = make(tmp_path, real_frames, media)
    report = tmp_path / "out" / "report.json"
    code = main(["analyze", str(clip), "-e", exercise, "--report", str(report), "-q"])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    print(f"{case}: exit {code}; {out.err.strip() or out.out.strip().splitlines()[0]}")
    if kind == "error":
        assert code != 0 and expect in out.err and len(out.err.strip().splitlines()) == 1, out.err
        assert not report.exists() and not any((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True
    else:
        assert code == 0, out.err
        r = json.loads(report.read_text())
        json.dumps(r, allow_nan=False)         # strict JSON: no NaN leaks into the contract
        assert expect is None or expect(r), {k: r[k] for k in ("clip", "rep_count", "summary")}
