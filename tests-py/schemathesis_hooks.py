"""Schemathesis hooks for scripts/api-checks (loaded through SCHEMATHESIS_HOOKS).

`limits_in_force_keep_state_route_serving`: after every accepted `PUT /v1/admin/throttle`, the limits
it set are in force for the next request; read room state once and require a sane answer (contract
section 6: bad values are refused with a clear error, the node never crashes on input, section 8).
Without it a value the node accepts but cannot live with would only show on whatever request
happens to come next.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import requests
import schemathesis

STATE_PATH = "/v1/webinars/api-checks/state"
RATE_LIMIT = re.compile(r'^"state";r=[0-9]+;t=[0-9]+$')
RATE_LIMIT_POLICY = re.compile(r'^"state";q=[0-9]+;w=[0-9]+$')


@schemathesis.check
def limits_in_force_keep_state_route_serving(ctx, response, case):
    if case.method.upper() != "PUT" or case.path != "/v1/admin/throttle" or response.status_code != 200:
        return None
    sent = response.request
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(sent.url))
    headers = {"Authorization": sent.headers.get("Authorization", "")}
    # The node that took the PUT applies it through Redis pub/sub within a second.
    time.sleep(0.2)
    try:
        answer = requests.get(origin + STATE_PATH, headers=headers, timeout=5)
    except requests.RequestException as exc:
        raise AssertionError(
            f"after PUT /v1/admin/throttle {sent.body!r} answered 200, GET {STATE_PATH} got no answer "
            f"({type(exc).__name__}): the node stopped serving"
        ) from None
    if answer.status_code not in (200, 429):
        raise AssertionError(
            f"after PUT /v1/admin/throttle {sent.body!r}, GET {STATE_PATH} answered {answer.status_code}"
        )
    for name, rx in (("RateLimit", RATE_LIMIT), ("RateLimit-Policy", RATE_LIMIT_POLICY)):
        value = answer.headers.get(name)
        if value is not None and not rx.match(value):
            raise AssertionError(
                f"after PUT /v1/admin/throttle {sent.body!r}, GET {STATE_PATH} sent {name}: {value}"
            )
    return None
