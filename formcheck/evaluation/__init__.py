"""The labelled clips judged again: margins, per-check accuracy, look-alikes, other
models' keypoints."""
