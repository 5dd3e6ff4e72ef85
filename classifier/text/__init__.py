"""Log text as the model reads it: cleaning, the signal vocabulary, lines grouped into kinds. Pure: no I/O."""
