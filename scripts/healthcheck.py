"""Container health check: GET /healthz on the local gunicorn, as a browser would
reach it (an allowed Host, HTTPS as the proxy reports it). Exit 0 only on HTTP 200."""

import os
import sys
import urllib.request

host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
request = urllib.request.Request(
    "http://127.0.0.1:8000/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)
