"""Shared pieces of the outbound HTTP adapters (inquiry, SMS gateway)."""

import requests


class BearerAuth(requests.auth.AuthBase):
    """Sets the Authorization header. As session auth it also keeps requests
    from replacing the header with a ~/.netrc entry. Its repr hides the key."""

    def __init__(self, api_key: str) -> None:
        self._header = f"Bearer {api_key}"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return "<BearerAuth ***>"
