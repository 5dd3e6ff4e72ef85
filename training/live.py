"""Real cases served as live endpoints: the product path, measured where users meet it.

Each case's lines arrive in one burst amid `minutes` of its stack's healthy
traffic (`training.traffic`), on an endpoint whose status and FailureReason
are set where the report gives them, in a local moto server; then
`smtriage classify ENDPOINT --output json` runs against it exactly as a user
types it (through the CLI, boto3 and moto). A healthy excerpt is served the
same way and must come out "no failure found".

    python -m training.live data/realcases/*.jsonl            # the corpus through classify
    python -m training.live ../shared/realcases/dev.jsonl     # the check set
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from classifier.incident import Context, Incident, LogEvent, load_incidents
from training.traffic import healthy_lines

NO_FAILURE = "no_failure"
_INSTANCE = re.compile(r"^ml\.[a-z0-9]+\.[a-z0-9]+$")
_GPU_FAMILIES = {"tgi", "vllm", "djl", "triton"}
_DLC = "763104351884.dkr.ecr.us-east-1.amazonaws.com"
# An image as the stack's endpoints run it, for a report that names none (CreateModel needs one).
IMAGES = {
    "sklearn": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
    "xgboost": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    "pytorch": f"{_DLC}/pytorch-inference:2.1.0-cpu-py310",
    "torchserve": f"{_DLC}/pytorch-inference:2.1.0-cpu-py310",
    "tensorflow": f"{_DLC}/tensorflow-inference:2.13.0-cpu",
    "tfserving": f"{_DLC}/tensorflow-inference:2.13.0-cpu",
    "huggingface": f"{_DLC}/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04",
    "mms": f"{_DLC}/mxnet-inference:1.9.0-cpu-py38",
    "tgi": f"{_DLC}/huggingface-pytorch-tgi-inference:2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04",
    "vllm": f"{_DLC}/djl-inference:0.29.0-lmi11.0.0-cu124",
    "djl": f"{_DLC}/djl-inference:0.27.0-deepspeed0.12.6-cu121",
    "triton": "785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:24.01-py3",
}
CUSTOM_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/custom-inference:latest"


def family(case: Incident) -> str:
    return str((case.source or {}).get("family") or "other")


def true_label(case: Incident) -> str:
    return case.label or NO_FAILURE


def as_window(
    case: Incident,
    end: datetime,
    *,
    minutes: float = 30,
    seed: int = 0,
    name: str | None = None,
    burst_at: float | None = None,
) -> Incident:
    """The case as CloudWatch would hold it: its lines in one burst amid `minutes` of healthy traffic.

    Lines the report gives with no time get the burst's time, a few
    milliseconds apart, in the posted order. `minutes=0` serves the lines alone.
    """
    rng = random.Random(f"{seed}:{case.id}")
    start = end - timedelta(minutes=minutes) if minutes else end - timedelta(minutes=1)
    span = (end - start).total_seconds()
    at = start + timedelta(seconds=span * (burst_at if burst_at is not None else rng.uniform(0.35, 0.85)))
    stream = f"AllTraffic/i-0{rng.getrandbits(68):017x}"
    logs = [LogEvent(e.message, at + timedelta(milliseconds=7 * k), stream) for k, e in enumerate(case.logs)]
    if minutes:
        logs += [LogEvent(msg, t, stream) for t, msg in healthy_lines(family(case), start, end, rng)]
        logs.sort(key=lambda e: e.timestamp or at)
    ctx = case.context
    instance = (
        ctx.instance_type
        if ctx.instance_type and _INSTANCE.match(ctx.instance_type)
        else ("ml.g5.2xlarge" if family(case) in _GPU_FAMILIES else "ml.m5.large")
    )
    image = ctx.image if ctx.image and len(ctx.image) < 200 else IMAGES.get(family(case), CUSTOM_IMAGE)
    # DescribeEndpoint gives a FailureReason only with status Failed
    status = (
        "Failed"
        if ctx.failure_reason
        else ctx.status
        if ctx.status in ("Failed", "InService", "Updating")
        else "InService"
    )
    context = Context(
        status=status, failure_reason=ctx.failure_reason, instance_type=instance, instance_count=1, image=image
    )
    return replace(
        case,
        id=name or case.id,
        endpoint=name or case.id,
        variant="AllTraffic",
        start=start,
        end=end,
        logs=logs,
        context=context,
        metrics={},
    )


@dataclass
class LiveResult:
    case: Incident
    predicted: str  # a label, "uncertain", or NO_FAILURE when classify found no failure
    best_guess: str  # the most likely label even when uncertain
    confidence: float
    verdicts: list[dict]

    @property
    def truth(self) -> str:
        return true_label(self.case)


def pick(verdicts: Sequence[dict]) -> tuple[str, str, float]:
    """The case's answer from `classify`'s verdicts: the most confident one, or no failure."""
    if not verdicts:
        return NO_FAILURE, NO_FAILURE, 1.0
    top = max(verdicts, key=lambda v: v["confidence"])
    return top["label"], top["best_guess"], float(top["confidence"])


def classify_live(
    cases: Sequence[Incident],
    *,
    model_dir: Path | None = None,
    minutes: float = 30,
    seed: int = 0,
    progress: bool = False,
) -> list[LiveResult]:
    """Serve every case from one local moto server and run `smtriage classify` on each, as a user would."""
    import boto3
    from typer.testing import CliRunner

    from classifier.cli import app
    from classifier.demo import REGION, moto_server, seed_endpoint, throwaway_credentials

    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    runner = CliRunner()
    results = []
    with throwaway_credentials(), moto_server() as url:
        clients = {
            s: boto3.client(s, region_name=REGION, endpoint_url=url) for s in ("sagemaker", "logs", "cloudwatch")
        }
        for k, case in enumerate(cases):
            name = f"case-{k:04d}"
            window = as_window(case, end, minutes=minutes, seed=seed, name=name)
            assert window.start is not None, "as_window always places the case in time"
            seed_endpoint(clients, window)
            args = [
                "classify",
                name,
                "--endpoint-url",
                url,
                "--region",
                REGION,
                "--output",
                "json",
                "--start",
                window.start.isoformat(),
                "--end",
                (end + timedelta(minutes=1)).isoformat(),
            ]
            if model_dir is not None:
                args += ["--model", str(model_dir)]
            result = runner.invoke(app, args)
            if result.exit_code != 0:
                raise RuntimeError(f"classify {name} ({case.id}) exited {result.exit_code}: {result.output[-500:]}")
            verdicts = json.loads(result.stdout)
            label, best, conf = pick(verdicts)
            results.append(LiveResult(case, label, best, conf, verdicts))
            if progress:
                print(f"\r{k + 1}/{len(cases)}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return results


def summary(results: Iterable[LiveResult]) -> dict[str, object]:
    """Macro-F1 on the failures (no failure found counts as a miss), false alarms on the healthy excerpts."""
    from sklearn.metrics import f1_score

    from classifier.incident import LABELS

    results = list(results)
    failing = [r for r in results if r.truth != NO_FAILURE]
    healthy = [r for r in results if r.truth == NO_FAILURE]
    out: dict[str, object] = {"failures": len(failing), "healthy": len(healthy)}
    if failing:
        y = [r.truth for r in failing]
        out["macro_f1"] = round(
            float(f1_score(y, [r.predicted for r in failing], labels=list(LABELS), average="macro", zero_division=0)), 3
        )
        out["macro_f1_best_guess"] = round(
            float(f1_score(y, [r.best_guess for r in failing], labels=list(LABELS), average="macro", zero_division=0)),
            3,
        )
        out["no_failure_found"] = round(sum(r.predicted == NO_FAILURE for r in failing) / len(failing), 3)
        out["uncertain"] = round(sum(r.predicted == "uncertain" for r in failing) / len(failing), 3)
    if healthy:
        out["false_alarms"] = round(sum(r.predicted != NO_FAILURE for r in healthy) / len(healthy), 3)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="+", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--misses", action="store_true", help="list every case classify got wrong")
    args = parser.parse_args(argv)
    cases, bad = load_incidents([str(p) for p in args.cases], strict=False)
    for b in bad:
        print(f"skipped: {b.reason}", file=sys.stderr)
    results = classify_live(cases, model_dir=args.model, minutes=args.minutes, seed=args.seed, progress=True)
    print(json.dumps(summary(results), indent=2))
    if args.misses:
        for r in results:
            if r.predicted != r.truth:
                first = next((e.message for e in r.case.logs if e.message.strip()), "")[:110]
                print(
                    f"{r.case.id:10} {family(r.case):12} {r.truth:20} -> {r.predicted:20} {r.confidence:.2f}  {first}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
