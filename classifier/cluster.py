"""Connect to a Dask cluster for `smtriage batch --scheduler` (optional extra `smtriage[dask]`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import SmtriageError, Unavailable


@contextmanager
def dask_client(address: str) -> Iterator[Any]:
    """A distributed.Client for `address` (tcp://host:8786), made the default so joblib uses it."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise SmtriageError("--scheduler needs Dask: pip install 'smtriage[dask]'") from None
    try:
        client = Client(address, timeout="30s", set_as_default=True)
    except OSError as exc:
        raise Unavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
