"""What a log event says, once its wrappers are peeled off.

Servers that log JSON (TGI with --json-output, many FastAPI apps, structured
loggers) hide the message, and its newlines, inside a string; CloudWatch shows
colour codes as literal `#033[2m`. Every reader of log text (scanner, tokens,
evidence, remediation) goes through `message_text` so they all see the same
plain text.
"""

from __future__ import annotations

import json
import re
from operator import itemgetter

# one pattern per spelling: a literal prefix lets the regex engine skip ahead instead of trying every position
_ANSI = (re.compile(r"\x1b\[[0-9;]*[A-Za-z]"), re.compile(r"#033\[[0-9;]*[A-Za-z]"))
_MESSAGE_KEYS = ("message", "msg", "log", "error")
_MAX_JSON = 1_000_000
_FIRST = itemgetter(slice(0, 1))  # a message's first character ("" for an empty one)


def _from_json(text: str) -> str | None:
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    fields = obj.get("fields") if isinstance(obj.get("fields"), dict) else {}
    for source in (fields, obj):
        for key in _MESSAGE_KEYS:
            value = source.get(key)
            if isinstance(value, str) and value:
                level = obj.get("level") or obj.get("levelname") or obj.get("severity")
                return f"{level} {value}" if isinstance(level, str) else value
    return None


def message_text(message: str) -> str:
    """Plain text of one event: JSON envelope unwrapped, colour codes removed."""
    stripped = message.strip()
    if stripped.startswith("{") and stripped.endswith("}") and len(stripped) < _MAX_JSON:
        inner = _from_json(stripped)
        if inner is not None:
            message = inner
    return _strip_colour(message)


def _strip_colour(text: str) -> str:
    for marker, pattern in zip(("\x1b", "#033"), _ANSI):
        if marker in text:
            text = pattern.sub("", text)
    return text


def _clean(message: str) -> str:
    """`message_text` of a message known to hold colour codes or to open with a brace.

    Whether it is JSON is decided on the message as logged, as `message_text`
    decides it: a colour code before a brace keeps it plain text, whatever the
    other lines of the window are.
    """
    return message_text(message) if message[:1] == "{" else _strip_colour(message)


def message_texts(messages: list[str]) -> list[str]:
    """`message_text` of every message; a glance over the whole window finds whether any needs it.

    Most windows hold neither colour codes nor JSON, and those that do hold
    them on a few of their lines: only those lines are rewritten.
    """
    joined = "\x00".join(messages)
    markers = [m for m in ("\x1b", "#033") if m in joined]
    # the set of first characters, not a search for "\x00{": that search crawls through a window of
    # 100,000 events (each "\x00" is a partial match), the set costs a slice per message
    json_like = "{" in set(map(_FIRST, messages))
    if not json_like:
        if not markers:  # the common case
            return list(messages)
        if len(markers) == 1:
            marker = markers[0]
            return [_strip_colour(m) if marker in m else m for m in messages]
    elif not markers:
        return [message_text(m) if m[:1] == "{" else m for m in messages]
    return [_clean(m) if "#033" in m or "\x1b" in m or m[:1] == "{" else m for m in messages]
