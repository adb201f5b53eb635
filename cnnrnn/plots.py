"""The book's figure style and the plots several chapters share."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def set_style() -> None:
    """Apply the book's figure style (called by each chapter after its imports)."""
    plt.rcParams.update(
        {
            "figure.figsize": (7.0, 3.6),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "legend.frameon": False,
        }
    )


def plot_learning_curves(
    histories: dict, metric: str | None = "accuracy", *, title: str = "", axes=None, log_loss: bool = False
):
    """Training (dashed) and validation (solid) curves of ``metric`` and loss, one colour per model.

    ``histories`` maps a model's name to its ``keras.callbacks.History`` (or the ``history`` dict,
    or a :class:`cnnrnn.training.Trained`). ``log_loss`` draws the loss on a log scale, where a
    loss falls by orders of magnitude (sequence-to-sequence, captioning). ``metric=None`` draws
    the loss alone, in one panel, for a model compiled without metrics. Returns the axes (an
    array: two, or one with ``metric=None``).
    """
    keys = ("loss",) if metric is None else (metric, "loss")
    if axes is None:
        _, axes = plt.subplots(1, len(keys), figsize=(10, 3.6) if metric else (7.0, 3.6), squeeze=False)
        axes = axes[0]
    axes = np.atleast_1d(axes)
    for (name, history), colour in zip(histories.items(), plt.cm.tab10.colors, strict=False):
        logs = getattr(history, "history", history)  # History or Trained: both have .history
        for ax, key in zip(axes, keys, strict=True):
            epochs = np.arange(1, len(logs[key]) + 1)
            ax.plot(epochs, logs[key], "--", color=colour, alpha=0.7, label=f"{name} (train)")
            if f"val_{key}" in logs:
                ax.plot(epochs, logs[f"val_{key}"], "-o", color=colour, ms=3, label=f"{name} (validation)")
    for ax, key in zip(axes, keys, strict=True):
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.set_title(f"{title}: {key}" if title else key)
        ax.xaxis.get_major_locator().set_params(integer=True)
    if log_loss:
        axes[-1].set_yscale("log")
    axes[0].legend(fontsize=8)
    plt.tight_layout()
    return axes


def plot_confusion_matrix(
    matrix, class_names, *, title: str = "Confusion matrix", ax=None, counted: str = "test images"
):
    """Draw a confusion matrix (rows: true class, columns: predicted class) with its counts.

    ``matrix`` is a square array of counts, e.g. from ``sklearn.metrics.confusion_matrix``.
    The colour scale is logarithmic so that the few errors stay visible beside the diagonal;
    ``counted`` names what the counts are, for the colour bar's label.
    """
    from matplotlib.colors import LogNorm

    matrix = np.asarray(matrix)
    n = len(class_names)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * n + 2.5, 0.55 * n + 1.8))
    image = ax.imshow(np.maximum(matrix, 0.5), cmap="Blues", norm=LogNorm(vmin=0.5))
    big = matrix.max() / 3
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            ax.text(
                j,
                i,
                f"{count}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if count > big else "black",
            )
    ax.set_xticks(range(n), class_names, rotation=45 if max(map(len, class_names)) > 2 else 0)
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    ax.grid(False)
    plt.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label=f"number of {counted}")
    return ax


def show_images(
    images,
    titles=(),
    *,
    ncols: int = 10,
    title: str = "",
    cmap="gray_r",
    size: float = 1.1,
    colours=(),
    title_height: float = 0.35,
):
    """Show a grid of images (grey-scale ``(h, w)`` or colour ``(h, w, 3)``) with a title each.

    ``size`` is each image's width in inches; its height follows the images' aspect ratio.
    ``colours`` colours the titles, one each (e.g. red for a wrong prediction).
    ``title_height`` is the room above each row for its titles, in inches (more for titles of
    several lines).
    """
    images = list(images)
    if colours and len(colours) != len(titles):
        raise ValueError(f"{len(colours)} colours for {len(titles)} titles: give one each")
    nrows = int(np.ceil(len(images) / ncols))
    height, width = np.shape(images[0])[:2]
    fig, axes = plt.subplots(
        nrows, ncols, squeeze=False, figsize=(size * ncols, (size * height / width + title_height) * nrows)
    )
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap=cmap)
            if k < len(titles):
                colour = {"color": colours[k]} if colours else {}  # else the style's
                ax.set_title(titles[k], fontsize=7, **colour)
    if title:
        fig.suptitle(title, fontsize=10)
    plt.tight_layout()
    return fig


def plot_feature_maps(image, maps, *, n_channels: int = 8, title: str = "", cmap="viridis"):
    """One row per depth: the input image, then the first ``n_channels`` channels of each map.

    ``maps`` maps a row label (e.g. a layer name) to an array ``(height, width, channels)``.
    Each map is drawn with its own colour scale; the row label gives its size.
    """
    fig, axes = plt.subplots(
        len(maps), n_channels + 1, figsize=(1.1 * (n_channels + 1), 1.25 * len(maps)), squeeze=False
    )
    for row, (name, fmap) in zip(axes, maps.items(), strict=True):
        row[0].imshow(image, cmap="gray_r")
        row[0].set_title("input", fontsize=7)
        for c, ax in enumerate(row[1:]):
            if c < fmap.shape[-1]:
                ax.imshow(fmap[..., c], cmap=cmap)
                ax.set_title(f"channel {c}", fontsize=7)
        row[1].set_ylabel(f"{name}\n{fmap.shape[0]}×{fmap.shape[1]}×{fmap.shape[2]}", fontsize=7)
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=10)
    plt.tight_layout()
    return fig
