"""PNG reports for `smtriage evaluate --plots` (matplotlib, the optional extra `smtriage[plots]`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .errors import SmtriageError
from .evaluation import Scores, reliability
from .incident import OUTCOMES


def write_plots(scores: Scores, y_true: Sequence[str], proba: np.ndarray, directory: Path) -> list[Path]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SmtriageError("--plots needs matplotlib: pip install 'smtriage[plots]'") from None
    directory.mkdir(parents=True, exist_ok=True)
    names = [label.replace("_", "\n") for label in OUTCOMES]

    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    matrix = np.array(scores.confusion)
    ax.imshow(matrix, cmap="Blues")
    for (r, c), v in np.ndenumerate(matrix):
        ax.text(c, r, str(v), ha="center", va="center", color="white" if v > matrix.max() / 2 else "black")
    ax.set_xticks(range(len(OUTCOMES)), names)
    ax.set_yticks(range(len(OUTCOMES)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"confusion matrix (n={scores.n}, macro-F1 {scores.macro_f1:.3f})")
    fig.tight_layout()
    confusion_png = directory / "confusion_matrix.png"
    fig.savefig(confusion_png, dpi=120)
    plt.close(fig)

    index = {label: i for i, label in enumerate(OUTCOMES)}
    correct = (proba.argmax(axis=1) == np.array([index[y] for y in y_true])).astype(float)
    bins = reliability(proba.max(axis=1), correct)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfectly calibrated")
    if bins:
        conf, acc, count = zip(*bins)
        ax.plot(conf, acc, "o-", label="model")
        for c, a, n in bins:
            ax.annotate(str(n), (c, a), textcoords="offset points", xytext=(4, -10), fontsize=8)
    ax.axvline(scores.threshold, color="orange", lw=1, label=f"uncertain below {scores.threshold:.2f}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (top probability)")
    ax.set_ylabel("accuracy")
    ax.set_title(f"reliability (ECE {scores.ece:.3f}, 10 bins)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    reliability_png = directory / "reliability.png"
    fig.savefig(reliability_png, dpi=120)
    plt.close(fig)
    return [confusion_png, reliability_png]
