"""Synthetic training corpus for smtriage.

The shipped classifier is trained only on what this package writes, so the
generator's job is realism and variety: many serving stacks, many root causes
per label, each phrased the way that stack really phrases it, buried in the
noise a real CloudWatch window carries or cut down to what people paste into
bug reports. ``training.generator`` is the entry point.
"""
