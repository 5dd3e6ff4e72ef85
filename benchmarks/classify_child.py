"""One classify in a fresh process, as `smtriage classify` runs it (imports and model included).

    python -m benchmarks.classify_child {first|during} URL ENDPOINT START END DELAY

`first` loads the model, then reads CloudWatch; `during` loads it while
CloudWatch is read, as the CLI does (`classifier.cli.read_while_loading`). moto on loopback answers in microseconds, where a region
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

    from classifier.cli import load_model, read_while_loading
    from classifier.live import report as report_of
    from classifier.sources.cloudwatch import AwsOptions, CloudWatchSource

    source = CloudWatchSource(AwsOptions(region="us-east-1", endpoint_url=url))
    t0, t1 = datetime.fromisoformat(start), datetime.fromisoformat(end)
    if mode == "during":  # what the CLI does
        model, window = read_while_loading(lambda: load_model(None), lambda: source.read(endpoint, t0, t1))
    else:
        model = load_model(None)
        window = source.read(endpoint, t0, t1)
    report = report_of(model, endpoint, t0, t1, window)
    print(len(report.findings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
