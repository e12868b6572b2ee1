"""The client's address, as the lock-out and the session list see it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with QA_TRUSTED_PROXY_COUNT proxies in front, the address the
    outermost trusted proxy saw: entries further left in X-Forwarded-For are whatever the
    client chose to send."""
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    count = getattr(settings, "QA_TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if len(forwarded) < count:
        return remote
    return _valid(forwarded[-count]) or remote


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]
