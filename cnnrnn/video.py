"""Video clips made from still images, for chapter 19: a digit drawn frame by frame along a path,
and a strip of frames per clip to look at them.

The chapter's lesson is the paths (the motion classes) and the models that read them; drawing a
digit at a given centre and scale in every frame is plumbing, kept here with its checks.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def interpolation_weights(centre, scale, size: int, digit: int):
    """Weights ``(..., size, digit)`` that resample a digit's rows (or columns) to a frame's.

    ``centre`` (pixels) and ``scale`` (1: the digit's own size) are the digit's along that axis.
    The weights are a tent (linear interpolation), widened when the digit is shrunk so that thin
    strokes are averaged rather than skipped.
    """
    target = np.arange(size) + 0.5  # pixel centres in the frame
    source = (target - centre[..., None]) / scale[..., None] + digit / 2
    shrink = np.minimum(scale, 1.0)[..., None, None]  # wider tent if shrunk
    distance = np.abs(source[..., None] - (np.arange(digit) + 0.5))
    return (np.maximum(0.0, 1.0 - distance * shrink) * shrink).astype("float32")


def render(digits, paths, size: int, chunk: int = 500):
    """Draw one clip per digit: ``(n, frames, size, size, 1)`` float32 in [0, 1].

    ``digits`` are ``(n, d, d)`` uint8 images (MNIST's 28x28); ``paths`` is ``(n, frames, 3)``:
    the digit's centre x and centre y (pixels, in the frame) and its scale, frame by frame. With
    no rotation the resampling is separable: frame = W_rows @ digit @ W_cols.T. Clips are drawn
    ``chunk`` at a time, to bound memory.
    """
    digits, paths = np.asarray(digits), np.asarray(paths)
    if digits.ndim != 3 or digits.shape[1] != digits.shape[2]:
        raise ValueError(f"digits must be square images (n, d, d); got shape {digits.shape}")
    if paths.ndim != 3 or paths.shape[0] != len(digits) or paths.shape[2] != 3:
        raise ValueError(
            f"paths must be (n, frames, 3) with n = {len(digits)} digits, one "
            f"(centre x, centre y, scale) per frame; got shape {paths.shape}"
        )
    if not isinstance(size, int | np.integer) or size < 1:
        raise ValueError(f"size is the frame's side in pixels, a positive int; got {size!r}")
    digit = digits.shape[1]
    clips = np.empty((*paths.shape[:2], size, size, 1), "float32")
    for i in range(0, len(digits), chunk):
        d = digits[i : i + chunk, None].astype("float32") / 255
        p = paths[i : i + chunk]
        rows = interpolation_weights(p[..., 1], p[..., 2], size, digit)
        cols = interpolation_weights(p[..., 0], p[..., 2], size, digit)
        clips[i : i + chunk, ..., 0] = rows @ d @ np.swapaxes(cols, -1, -2)
    return np.clip(clips, 0.0, 1.0)


def show_clips(clips, titles, frame_labels=None, *, title: str = ""):
    """One row per clip ``(frames, h, w, 1)``: its frames side by side, the clip's title above
    them and a label under each frame: ``t=0``, ``t=1``, ... or ``frame_labels[clip][frame]``.

    Each row is one image (the frames framed by grey lines), not one plot per frame:
    drawing a hundred small plots takes seconds.
    """
    clips = np.asarray(clips)
    if len(clips) != len(titles):
        raise ValueError(f"{len(clips)} clips but {len(titles)} titles: give one title per clip")
    if frame_labels is not None and len(frame_labels) != len(clips):
        raise ValueError(f"{len(frame_labels)} rows of frame labels for {len(clips)} clips")
    n_clips, n_frames, height, width = clips.shape[:4]
    left = 1 + np.arange(n_frames) * (width + 1)  # each frame's first column
    cmap = plt.get_cmap("gray_r").with_extremes(bad="0.7")  # a grey line around each frame
    fig, axes = plt.subplots(
        n_clips, 1, squeeze=False, layout="constrained", figsize=(0.8 * n_frames, 1.25 * n_clips)
    )
    for k, ax in enumerate(axes[:, 0]):
        strip = np.full((height + 2, left[-1] + width + 1), np.nan)
        for t in range(n_frames):
            strip[1:-1, left[t] : left[t] + width] = clips[k, t, ..., 0]
        ax.imshow(strip, cmap=cmap, vmin=0, vmax=1)
        labels = [f"t={t}" for t in range(n_frames)] if frame_labels is None else frame_labels[k]
        ax.set_xticks(left + (width - 1) / 2, labels, fontsize=6.5)
        ax.tick_params(length=0)
        ax.set_yticks([])
        ax.grid(False)
        ax.spines[:].set_visible(False)
        ax.set_title(titles[k], fontsize=9, fontweight="normal")
    if title:
        fig.suptitle(title, fontsize=10, fontweight="bold")
    return fig
