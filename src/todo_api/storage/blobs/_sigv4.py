"""AWS Signature Version 4 for S3, with the standard library only.

Three uses: signing a request's headers, presigning a URL (query-string auth) and
signing a browser POST policy. Specification: AWS "Signature Version 4 signing process"
and "Authenticating Requests: Browser-Based Uploads Using POST"; every form here is
exercised by the tests against a real S3 server (Ceph RGW).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    session_token: str | None = None

    def __repr__(self) -> str:  # never print the secret
        return f"Credentials(access_key={self.access_key!r}, secret_key=***)"


def quote(value: str, safe: str = "-_.~") -> str:
    """RFC 3986 percent-encoding as SigV4 wants it (space is %20, never +)."""
    return urllib.parse.quote(value, safe=safe)


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in sorted(params.items()))


def _amz_dates(now: datetime | None) -> tuple[str, str]:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ"), moment.strftime("%Y%m%d")


def _signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret_key).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _signature(key: bytes, string_to_sign: str) -> str:
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def _string_to_sign(amz_date: str, scope: str, canonical_request: str) -> str:
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


def sign_headers(
    *,
    method: str,
    host: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    payload_sha256: str,
    credentials: Credentials,
    region: str,
    service: str = "s3",
    now: datetime | None = None,
) -> dict[str, str]:
    """The request's headers plus `x-amz-*` and `Authorization`.

    `path` is already percent-encoded (as it goes on the wire).
    """
    amz_date, date = _amz_dates(now)
    out = {k.lower(): str(v).strip() for k, v in headers.items()}
    out["host"] = host
    out["x-amz-date"] = amz_date
    out["x-amz-content-sha256"] = payload_sha256
    if credentials.session_token:
        out["x-amz-security-token"] = credentials.session_token
    names = sorted(out)
    canonical_headers = "".join(f"{n}:{out[n]}\n" for n in names)
    signed = ";".join(names)
    canonical_request = "\n".join(
        [method, path, canonical_query(query), canonical_headers, signed, payload_sha256]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    signature = _signature(
        _signing_key(credentials.secret_key, date, region, service),
        _string_to_sign(amz_date, scope, canonical_request),
    )
    out["authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    return out


def presign_url(
    *,
    method: str,
    scheme: str,
    host: str,
    path: str,
    query: Mapping[str, str],
    credentials: Credentials,
    region: str,
    expires_in: int,
    signed_headers: Mapping[str, str] | None = None,
    service: str = "s3",
    now: datetime | None = None,
) -> str:
    """A query-string-authenticated URL valid for `expires_in` seconds (max 7 days).

    `signed_headers` (besides host) must be sent by the client with the same values.
    """
    amz_date, date = _amz_dates(now)
    scope = f"{date}/{region}/{service}/aws4_request"
    headers = {k.lower(): v.strip() for k, v in (signed_headers or {}).items()}
    headers["host"] = host
    names = sorted(headers)
    signed = ";".join(names)
    params = dict(query)
    params.update(
        {
            "X-Amz-Algorithm": ALGORITHM,
            "X-Amz-Credential": f"{credentials.access_key}/{scope}",
            "X-Amz-Date": amz_date,
            "X-Amz-Expires": str(max(1, min(expires_in, 7 * 24 * 3600))),
            "X-Amz-SignedHeaders": signed,
        }
    )
    if credentials.session_token:
        params["X-Amz-Security-Token"] = credentials.session_token
    canonical_headers = "".join(f"{n}:{headers[n]}\n" for n in names)
    canonical_request = "\n".join(
        [method, path, canonical_query(params), canonical_headers, signed, UNSIGNED_PAYLOAD]
    )
    signature = _signature(
        _signing_key(credentials.secret_key, date, region, service),
        _string_to_sign(amz_date, scope, canonical_request),
    )
    params["X-Amz-Signature"] = signature
    return f"{scheme}://{host}{path}?{canonical_query(params)}"


def post_policy_fields(
    *,
    bucket: str,
    key: str,
    content_type: str,
    max_size: int,
    credentials: Credentials,
    region: str,
    expires_in: int,
    now: datetime | None = None,
) -> dict[str, str]:
    """Form fields for a browser POST upload bound to one key, type and size range."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    amz_date, date = _amz_dates(moment)
    credential = f"{credentials.access_key}/{date}/{region}/s3/aws4_request"
    fields = {
        "key": key,
        "Content-Type": content_type,
        "x-amz-algorithm": ALGORITHM,
        "x-amz-credential": credential,
        "x-amz-date": amz_date,
    }
    if credentials.session_token:
        fields["x-amz-security-token"] = credentials.session_token
    conditions: list[object] = [
        {"bucket": bucket},
        ["eq", "$key", key],
        ["eq", "$Content-Type", content_type],
        ["content-length-range", 0, max_size],
    ]
    conditions.extend({name: value} for name, value in fields.items() if name.startswith("x-amz"))
    expiration = (moment + timedelta(seconds=expires_in)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    policy = base64.b64encode(
        json.dumps({"expiration": expiration, "conditions": conditions}).encode()
    ).decode("ascii")
    fields["policy"] = policy
    fields["x-amz-signature"] = _signature(
        _signing_key(credentials.secret_key, date, region, "s3"), policy
    )
    return fields
