"""Errors a user can act on, each with its own documented exit code.

The CLI prints `str(error)` on one line and exits with `error.exit_code`; a
traceback appears only with `--debug`. The codes are listed in README.md.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USAGE = 2
EXIT_AWS_AUTH = 3
EXIT_ACCESS_DENIED = 4
EXIT_NOT_FOUND = 5
EXIT_AWS_UNAVAILABLE = 6
EXIT_MODEL = 7
EXIT_BAD_INPUT = 8
EXIT_FOUND = 9  # `classify --fail-on`: a verdict the caller asked to fail on was found


class SmtriageError(Exception):
    exit_code = EXIT_UNEXPECTED


class UsageError(SmtriageError):
    exit_code = EXIT_USAGE


class AwsAuthError(SmtriageError):
    """No credentials, expired token, unknown profile, no region."""

    exit_code = EXIT_AWS_AUTH


class AccessDenied(SmtriageError):
    exit_code = EXIT_ACCESS_DENIED


class NotFound(SmtriageError):
    exit_code = EXIT_NOT_FOUND


class Unavailable(SmtriageError):
    """A service (AWS, a Dask scheduler) throttled past every retry, timed out, or could not be reached."""

    exit_code = EXIT_AWS_UNAVAILABLE


class AwsUnavailable(Unavailable):
    pass


class BadInput(SmtriageError):
    exit_code = EXIT_BAD_INPUT


class ModelError(SmtriageError):
    """The model cannot be used; the message says why and what to do."""

    exit_code = EXIT_MODEL
