"""smtriage: tell why an Amazon SageMaker endpoint failed."""

__version__ = "0.1.0"
