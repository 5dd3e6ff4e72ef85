"""One `classify_endpoint` in a fresh process, as `smtriage classify` runs it (imports and model included).

    python -m benchmarks.classify_child {first|during} URL ENDPOINT START END DELAY

`first` loads the model, then reads CloudWatch; `during` hands
`classify_endpoint` a loader, as the CLI does, so the model loads while
CloudWatch is read. moto on loopback answers in microseconds, where a region
is a network round trip away: DELAY seconds are slept in botocore's send of
every request (a sleep, like a socket wait, holds no GIL).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime


def main(argv: list[str]) -> int:
    mode, url, endpoint, start, end, delay = argv
    import botocore.endpoint

    send = botocore.endpoint.Endpoint._send

    def distant_send(self, request):  # type: ignore[no-untyped-def]
        time.sleep(float(delay))
        return send(self, request)

    botocore.endpoint.Endpoint._send = distant_send  # type: ignore[method-assign]

    from classifier.cli import load_model
    from classifier.live import classify_endpoint
    from classifier.sources.cloudwatch import AwsOptions

    model = (lambda: load_model(None)) if mode == "during" else load_model(None)
    report = classify_endpoint(
        model,
        endpoint,
        datetime.fromisoformat(start),
        datetime.fromisoformat(end),
        AwsOptions(region="us-east-1", endpoint_url=url),
    )
    print(len(report.findings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
