#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The independent signer for tests/unit/test_sigv4.c: botocore's SigV4Auth.
# Reads one request per line on stdin, JSON:
#   {"method": "GET", "path": "/a b", "query": "k=v", "headers": [[n, v], ...],
#    "body_hex": "...", "when": 1440938160, "region": "...", "service": "...",
#    "ak": "...", "sk": "...", "token": "" }
# and writes, per request, the Authorization header botocore computed, one
# line each, or "ERROR <reason>". Exit 77 when botocore is missing.
#
# The time is botocore's "now", so it is fixed by replacing what
# botocore.auth calls: datetime.datetime.utcnow() (Debian 12's 1.29) or
# get_current_datetime() (later releases). The x-amz-date and
# x-amz-security-token headers are botocore's own: it replaces them with the
# time and the token it signs with, so they are not passed here.

import datetime
import json
import sys
import types

try:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as e:
    print(f"ERROR botocore: {e}")
    sys.exit(77)

NOW = [datetime.datetime(2015, 8, 30, 12, 36, 0)]


class FixedDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return NOW[0]

    @classmethod
    def now(cls, tz=None):
        return NOW[0] if tz is None else NOW[0].replace(tzinfo=tz)


botocore.auth.datetime = types.SimpleNamespace(
    datetime=FixedDatetime, timezone=datetime.timezone,
    timedelta=datetime.timedelta)
if hasattr(botocore.auth, "get_current_datetime"):
    botocore.auth.get_current_datetime = lambda *a, **k: NOW[0]


def sign(r):
    NOW[0] = datetime.datetime(1970, 1, 1) + datetime.timedelta(
        seconds=r["when"])
    url = "https://example.amazonaws.com" + r["path"]
    if r["query"]:
        url += "?" + r["query"]
    req = AWSRequest(method=r["method"], url=url,
                     data=bytes.fromhex(r["body_hex"]))
    for name, value in r["headers"]:
        req.headers[name] = value	# appends: repeated names stay
    creds = Credentials(r["ak"], r["sk"], r["token"] or None)
    botocore.auth.SigV4Auth(creds, r["service"], r["region"]).add_auth(req)
    return req.headers["Authorization"]


def main():
    for line in sys.stdin:
        try:
            print(sign(json.loads(line)))
        except Exception as e:  # report it on the case's line
            print(f"ERROR {type(e).__name__}: {e}".replace("\n", " "))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
