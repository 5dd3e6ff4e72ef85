"""The product's signal patterns (classifier.text.signals.SIGNALS) as a POSIX ERE file for `grep -E -i -f`.

Plain-phrase signals become one escaped literal per line. The few explicit
regexes are translated; all translations keep the meaning on a single line of
text, so nothing is dropped:

  (?:...)            -> (...)           non-capturing group -> group
  \\d / \\D / [\\d.] -> [0-9] / [^0-9] / [0-9.]
  \\s                -> [[:space:]]
  [^\\n]*            -> .*              grep matches within one line anyway
  [\\] ]             -> [] ]            ERE spelling of a bracket holding ']'
  (?:^|(?<=\\n))     -> ^               lookbehind for "start of a line" -> anchor
  \\b, \\w           kept                GNU grep supports both

A phrase-only signal (no regex) is exported phrase by phrase; a phrase that
starts with "\\n" (anchored at a line start) becomes "^..." (grep reads lines).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

_ERE_SPECIAL = re.compile(r"([.\[\]()*+?{}|^$\\])")
_TRANSLATIONS = [
    ("(?:^|(?<=\\n))", "^"),
    ("[^\\n]*", ".*"),
    ("[\\d.]", "[0-9.]"),
    ("\\D", "[^0-9]"),
    ("\\d", "[0-9]"),
    ("\\s", "[[:space:]]"),
    ("[\\] ]", "[] ]"),
    ("(?:", "("),
]


def ere_escape(literal: str) -> str:
    return _ERE_SPECIAL.sub(r"\\\1", literal)


def translate(pattern: str) -> str:
    for a, b in _TRANSLATIONS:
        pattern = pattern.replace(a, b)
    if "(?" in pattern or "\\d" in pattern or "\\n" in pattern:
        raise ValueError(f"untranslated Python-only syntax in {pattern!r}")
    return pattern


def ere_patterns() -> list[tuple[str, str]]:
    """(signal name, ERE) pairs, one per literal phrase or per explicit regex."""
    from classifier.text.signals import SIGNALS

    out = []
    for sig in SIGNALS:
        pattern = getattr(sig, "pattern", None)
        if pattern is None or pattern == "|".join(re.escape(a) for a in sig.literals):
            for lit in sig.literals:
                anchored = lit.startswith("\n")
                body = lit.lstrip("\n") if anchored else lit
                if "\n" in body:
                    raise ValueError(f"phrase of {sig.name} spans lines: {lit!r}")
                out.append((sig.name, ("^" if anchored else "") + ere_escape(body)))
        else:
            out.append((sig.name, translate(pattern)))
    return out


def write_patterns(path: Path) -> int:
    pats = ere_patterns()
    path.write_text("".join(p + "\n" for _, p in pats), encoding="utf-8")
    # every pattern must compile in grep (exit 2 would mean a bad translation)
    for name, p in pats:
        r = subprocess.run(["grep", "-E", "-i", "-c", "-e", p, "/dev/null"], capture_output=True, text=True)
        if r.returncode == 2:
            raise ValueError(f"grep rejects the pattern of {name}: {p!r}: {r.stderr.strip()}")
    return len(pats)
