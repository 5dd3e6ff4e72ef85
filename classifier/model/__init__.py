"""The model: featurizing through a learned line scorer, the pipeline, and its safe persistence.

Importing this package imports scikit-learn; the CLI does so only inside the commands that score.
"""

from ..errors import ModelError
from .manifest import Manifest
from .pipeline import TriageModel, build_pipeline, choose_threshold, decide, fit
from .store import TRUSTED_TYPES, default_model_dir, load, save

__all__ = [
    "Manifest",
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
