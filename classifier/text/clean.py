"""What a log event says, once its wrappers are peeled off.

Servers that log JSON (TGI with --json-output, many FastAPI apps, structured
loggers) hide the message, and its newlines, inside a string; CloudWatch shows
colour codes as literal `#033[2m`. Every reader of log text (line scorer,
signals, evidence, remediation) goes through `message_text` so they all see
the same plain text.
"""

from __future__ import annotations

import json
import re

# The one list of characters that are unsafe to show: C0 controls but tab and newline (ESC opens ANSI CSI
# and OSC sequences, CR rewrites the line), DEL and C1 controls (0x9b is CSI on some terminals), bidi
# marks, embeddings, overrides and isolates, line and paragraph separators, and lone surrogates (not
# encodable as UTF-8). What reaches a terminal shows them escaped (`inert`); JSON written by smtriage
# spells them as \uXXXX escapes (`incident.json_text`), exact when read back.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def inert(text: str) -> str:
    """Untrusted text with every unsafe character shown (`\x1b`), not obeyed."""
    return UNSAFE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text
    )


def redacted(text: str) -> str:
    """Credentials written into a URL (`https://user:secret@host`) left out of anything shown."""
    return _CREDENTIALS.sub("***@", text)


# a colour code as the terminal gets it, and as CloudWatch shows it; one pattern each, so each is found by its
# literal start rather than tried at every character
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ANSI_SHOWN = re.compile(r"#033\[[0-9;]*[A-Za-z]")
_MESSAGE_KEYS = ("message", "msg", "log", "error")
_MAX_JSON = 1_000_000


def _from_json(text: str) -> str | None:
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    nested = obj.get("fields")
    fields: dict = nested if isinstance(nested, dict) else {}
    for source in (fields, obj):
        for key in _MESSAGE_KEYS:
            value = source.get(key)
            if isinstance(value, str) and value:
                level = obj.get("level") or obj.get("levelname") or obj.get("severity")
                return f"{level} {value}" if isinstance(level, str) else value
    return None


def message_text(message: str) -> str:
    """Plain text of one event: JSON envelope unwrapped, colour codes removed.

    Whether it is JSON is decided on the message as logged: a colour code
    before a brace keeps it plain text.
    """
    stripped = message.strip()
    if stripped.startswith("{") and stripped.endswith("}") and len(stripped) < _MAX_JSON:
        inner = _from_json(stripped)
        if inner is not None:
            message = inner
    if "\x1b" in message:
        message = _ANSI.sub("", message)
    return _ANSI_SHOWN.sub("", message) if "#033" in message else message


def message_texts(messages: list[str]) -> list[str]:
    """`message_text` of every message; most have nothing to peel off and are taken as they are."""
    return [message_text(m) if "{" in m or "\x1b" in m or "#033" in m else m for m in messages]
