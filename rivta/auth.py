"""A token for the test bed's own HTTP API in shared mode (docs/platform.md): sent as
``Authorization: Bearer`` on requests under one base URL only, so a care system or the
conformance suite never hands it to a vendor's adapter or any other host."""

from __future__ import annotations

import requests
from requests.auth import AuthBase


class BearerFor(AuthBase):
    """requests auth: the bearer token on requests whose URL is under ``base_url``."""

    def __init__(self, token: str, base_url: str):
        self.header = f"Bearer {token}"
        self.base = base_url.rstrip("/") + "/"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if (request.url or "").startswith(self.base):
            request.headers["Authorization"] = self.header
        return request
