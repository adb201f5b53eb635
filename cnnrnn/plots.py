"""The book's figure style and the plots several chapters share."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def set_style() -> None:
    """Apply the book's figure style (called by each chapter after its imports)."""
    plt.rcParams.update({
        "figure.figsize": (7.0, 3.6), "figure.dpi": 110, "savefig.dpi": 110,
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
        "axes.spines.right": False, "axes.titleweight": "bold", "legend.frameon": False,
    })


def plot_learning_curves(histories: dict, metric: str = "accuracy", *, title: str = "",
                         axes=None):
    """Training (dashed) and validation (solid) curves of ``metric`` and loss, one colour per model.

    ``histories`` maps a model's name to its ``keras.callbacks.History`` (or the ``history`` dict).
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for (name, history), colour in zip(histories.items(), plt.cm.tab10.colors, strict=False):
        logs = getattr(history, "history", history)
        for ax, key in zip(axes, (metric, "loss"), strict=True):
            epochs = np.arange(1, len(logs[key]) + 1)
            ax.plot(epochs, logs[key], "--", color=colour, alpha=0.7, label=f"{name} (train)")
            if f"val_{key}" in logs:
                ax.plot(epochs, logs[f"val_{key}"], "-o", color=colour, ms=3,
                        label=f"{name} (validation)")
    for ax, key in zip(axes, (metric, "loss"), strict=True):
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.set_title(f"{title}: {key}" if title else key)
        ax.xaxis.get_major_locator().set_params(integer=True)
    axes[0].legend(fontsize=8)
    plt.tight_layout()
    return axes
