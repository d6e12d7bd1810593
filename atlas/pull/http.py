"""A polite JSON client for public APIs: one request at a time under the source's rate limit, a
429 or 5xx retried with backoff (honouring Retry-After), and a malformed or cut response an error
that stops the pull before anything is written."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx


class PullError(RuntimeError):
    """Why a pull stopped (nothing was written)."""


RETRY_STATUSES = {429, 500, 502, 503, 504}


class Client:
    """GET JSON from `base_url`, at most `per_second` requests a second, retrying a 429 or 5xx
    `retries` times (waiting Retry-After when the source says, else 1, 2, 4 … seconds, capped)."""

    def __init__(
        self,
        base_url: str,
        *,
        user_agent: str,
        per_second: float = 8.0,
        retries: int = 5,
        max_wait: float = 60.0,
        params: dict | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.params = dict(params or {})
        self.interval = 1.0 / per_second
        self.retries = retries
        self.max_wait = max_wait
        self.sleep = sleep
        self.requests = 0
        self._last = 0.0
        self._http = httpx.Client(headers={"User-Agent": user_agent, "Accept": "application/json"}, timeout=60)

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_json(self, path: str, params: dict | None = None) -> dict:
        """The JSON object at `path` (relative to the base URL) with `params`."""
        url, body = self._get(path, params)
        try:
            data = json.loads(body) if body else None
        except ValueError:
            raise PullError(f"{url}: the answer is not JSON (malformed or cut): {body[:80]!r}") from None
        if not isinstance(data, dict):
            raise PullError(f"{url}: the answer is not a JSON object")
        return data

    def get_bytes(self, path: str, params: dict | None = None, limit: int = 5_000_000) -> bytes:
        """The body at `path`, refused past `limit` bytes."""
        url, body = self._get(path, params)
        if len(body) > limit:
            raise PullError(f"{url}: the answer is larger than {limit:,} bytes")
        return body

    def _get(self, path: str, params: dict | None) -> tuple[str, bytes]:
        url = f"{self.base_url}/{path.lstrip('/')}"
        query = {**self.params, **(params or {})}
        for attempt in range(self.retries + 1):
            wait = self.interval - (time.monotonic() - self._last)
            if wait > 0:
                self.sleep(wait)
            self._last = time.monotonic()
            self.requests += 1
            try:
                response = self._http.get(url, params=query)
                body = response.content  # read whole: a cut body raises here
            except httpx.HTTPError as exc:
                if attempt == self.retries:
                    raise PullError(f"{url}: no complete answer after {attempt + 1} tries ({exc})") from None
                self.sleep(min(self.max_wait, 2.0**attempt))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                self.sleep(self._backoff(response, attempt))
                continue
            if response.status_code == 404:
                raise PullError(f"{url}: not found (404)")
            if response.status_code >= 400:
                raise PullError(f"{url}: the source answered {response.status_code} after {attempt + 1} tries")
            return url, body
        raise PullError(f"{url}: no answer")  # not reached: the last attempt returns or raises

    def _backoff(self, response: httpx.Response, attempt: int) -> float:
        said = response.headers.get("Retry-After", "")
        if said.strip().isdigit():
            return min(self.max_wait, float(said))
        return min(self.max_wait, 2.0**attempt)
