"""The model: featurizing through a learned line scorer, the pipeline, and its safe persistence.

Importing this package imports scikit-learn; the CLI does so only inside the commands that score.
"""

from .pipeline import ModelError, TriageModel, build_pipeline, choose_threshold, decide, fit
from .store import TRUSTED_TYPES, default_model_dir, load, save

__all__ = [
    "ModelError",
    "TriageModel",
    "TRUSTED_TYPES",
    "build_pipeline",
    "choose_threshold",
    "decide",
    "default_model_dir",
    "fit",
    "load",
    "save",
]
