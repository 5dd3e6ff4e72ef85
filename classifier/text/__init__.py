"""Log text as the model reads it: cleaning, the signal vocabulary, line templates. Pure: no I/O."""
