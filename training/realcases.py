"""The real-case corpus (`data/realcases/*.jsonl`) as training records, reproducibly.

    python -m training.realcases              # counts by label and stack; refuses a case it cannot use
    python -m training.realcases --out x.jsonl

Each case becomes an incident record with its label and its source (URL,
stack, how sure the label is, why). The held-out check set
(`../shared/realcases/dev.jsonl`), when it is beside the repository, is read
only to refuse a case from one of its threads: it must never be trained on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from classifier.incident import Incident, incident_from_dict

ROOT = Path(__file__).resolve().parent.parent


def _corpus() -> Path:
    """`data/realcases` in a source checkout; the copy inside the installed package otherwise."""
    here = ROOT / "data" / "realcases"
    if here.is_dir():
        return here
    import classifier

    return Path(classifier.__file__).resolve().parent / "_bundled" / "realcases"


CORPUS = _corpus()
DEV = ROOT.parent / "shared" / "realcases" / "dev.jsonl"
FAMILIES = (
    "sklearn",
    "xgboost",
    "pytorch",
    "tensorflow",
    "huggingface",
    "mms",
    "torchserve",
    "tgi",
    "vllm",
    "djl",
    "triton",
    "tfserving",
    "byoc",
    "other",
)
CONFIDENCES = ("high", "medium", "low")


# How much a case weighs in training, by how sure its label is: a guess should not teach as much as a fix
# the thread confirmed.
CONFIDENCE_WEIGHT = {"high": 1.0, "medium": 0.8, "low": 0.4}


def cause_in_logs(case: Incident) -> bool:
    """Whether a reader of the lines alone named the case's cause (healthy excerpts: trivially yes)."""
    readings = (case.source or {}).get("logs_only_readings")
    return case.label == "no_failure" or not isinstance(readings, list) or case.label in readings


def weight(case: Incident) -> float:
    return CONFIDENCE_WEIGHT[(case.source or {}).get("label_confidence", "low")]


class CorpusError(ValueError):
    pass


def _thread(url: str) -> str:
    """A thread's identity: the URL without scheme, `www.`, fragment or trailing slash."""
    url = url.split("#", 1)[0].rstrip("/").lower()
    for prefix in ("https://", "http://", "www."):
        url = url.removeprefix(prefix)
    return url


def dev_threads(path: Path = DEV) -> set[str]:
    if not path.is_file():
        return set()
    return {_thread(json.loads(line)["source"]["url"]) for line in path.read_text().splitlines() if line.strip()}


def _check(case: dict, where: str) -> None:
    src = case.get("source")
    if not isinstance(src, dict) or not isinstance(src.get("url"), str) or not src["url"].startswith("http"):
        raise CorpusError(f"{where}: source.url is missing")
    if src.get("family") not in FAMILIES:
        raise CorpusError(f"{where}: source.family {src.get('family')!r} is not one of {', '.join(FAMILIES)}")
    if src.get("label_confidence") not in CONFIDENCES:
        raise CorpusError(f"{where}: source.label_confidence must be one of {', '.join(CONFIDENCES)}")
    if not isinstance(src.get("rationale"), str) or not src["rationale"].strip():
        raise CorpusError(f"{where}: source.rationale is missing")
    if not case.get("logs") and not (case.get("context") or {}).get("failure_reason"):
        raise CorpusError(f"{where}: a case needs log lines or a FailureReason")


def load(corpus: Path = CORPUS, *, refuse: set[str] | None = None) -> list[Incident]:
    """Every case of the corpus as an incident, in file then line order; refuses a case from a `refuse` thread."""
    refuse = dev_threads() if refuse is None else refuse
    out: list[Incident] = []
    ids: set[str] = set()
    for path in sorted(corpus.glob("*.jsonl")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            case = json.loads(line)
            _check(case, where)
            if _thread(case["source"]["url"]) in refuse:
                raise CorpusError(f"{where}: {case['source']['url']} is a thread of the held-out check set")
            if case["id"] in ids:
                raise CorpusError(f"{where}: id {case['id']!r} is used twice")
            ids.add(case["id"])
            record = {
                "id": f"real-{case['id']}",
                "label": case["label"],
                "context": case.get("context") or {},
                "logs": case.get("logs") or [],
                "source": {**case["source"], "corpus": path.name},
            }
            incident = incident_from_dict(record, where)
            incident.source["cause_in_logs"] = cause_in_logs(incident)  # type: ignore[index]  # set just above
            out.append(incident)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="write the records here as JSONL")
    args = parser.parse_args(argv)
    cases = load()
    print(f"{len(cases)} cases from {len({_thread(c.source['url']) for c in cases})} threads")  # type: ignore[index]  # every case has one
    print("labels:", dict(Counter(c.label for c in cases).most_common()))
    print("stacks:", dict(Counter(c.source["family"] for c in cases).most_common()))  # type: ignore[index]  # every case has one
    if args.out:
        from classifier.incident import incident_to_dict, write_jsonl

        with open(args.out, "w") as fh:
            write_jsonl((incident_to_dict(c) for c in cases), fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
