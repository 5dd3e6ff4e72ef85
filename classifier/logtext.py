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

# one pattern per spelling: a literal prefix lets the regex engine skip ahead instead of trying every position
_ANSI = (re.compile(r"\x1b\[[0-9;]*[A-Za-z]"), re.compile(r"#033\[[0-9;]*[A-Za-z]"))
_MESSAGE_KEYS = ("message", "msg", "log", "error")
_MAX_JSON = 1_000_000


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


def message_texts(messages: list[str]) -> list[str]:
    """`message_text` of every message, with colour codes stripped from the whole window in one pass."""
    joined = "\x00".join(messages)
    if ("\x1b" in joined or "#033" in joined) and joined.count("\x00") == len(messages) - 1:
        messages = _strip_colour(joined).split("\x00")
    if "\x00{" not in joined and not joined.startswith("{"):  # no JSON-shaped event at all: the common case
        return list(messages)
    return [message_text(m) if m[:1] == "{" else m for m in messages]
