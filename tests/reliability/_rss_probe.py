"""Run in a subprocess by test_huge_responses: one request against a huge answer, and the peak RSS.

Usage: ``python _rss_probe.py URL KEY MODE LIMIT [OUTPUT]`` where MODE is ``people`` (a JSON answer
read in memory, bounded by ``max_response_bytes=LIMIT``), ``thumbnail`` (an in-memory thumbnail)
or ``download`` (a thumbnail streamed to OUTPUT). Prints one JSON object: the peak RSS in KiB
before and after the request, and the error raised, if any.
"""

from __future__ import annotations

import json
import resource
import sys

from immiche import Client, ImmichError, RetryPolicy

PERSON = "5174df3b-37a7-46b2-a6c6-5cee411fbdae"


def main() -> None:
    url, key, mode, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with Client(url, api_key=key, max_response_bytes=limit, retries=RetryPolicy(max_retries=0)) as client:
        client.connect()  # imports, TLS context, discovery: all before the baseline
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        error: ImmichError | None = None
        try:
            if mode == "people":
                client.fetch_people()
            elif mode == "thumbnail":
                client.fetch_thumbnail(PERSON)
            else:
                client.download_thumbnail(PERSON, sys.argv[5])
        except ImmichError as caught:
            error = caught
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "before_kib": before,
                "after_kib": after,
                "error": type(error).__name__ if error else None,
                "message": error.message if error else None,
            }
        )
    )


if __name__ == "__main__":
    main()
