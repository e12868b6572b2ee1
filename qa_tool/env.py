"""Typed readers for settings taken from environment variables.

A bad value stops start-up with a message naming the variable, rather than
running with a silently wrong configuration.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str) -> str:
    """An http(s) address without its trailing slash, for building absolute links."""
    raw = os.environ.get(name, "").strip() or default
    value = raw.rstrip("/")
    scheme, _sep, rest = value.partition("://")
    if scheme not in ("http", "https") or not rest:
        raise ImproperlyConfigured(f"{name} must be an http:// or https:// address; got {raw!r}")
    return value


def local_site_url() -> str:
    """A local server's address: ``HOST`` and ``PORT`` as `make run` passes them, else its defaults."""
    host = os.environ.get("HOST", "").strip() or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104 - listening everywhere; links need one address
        host = "127.0.0.1"
    return f"http://{host}:{env_int('PORT', 8000, minimum=1)}"


def env_pair(name: str) -> tuple[str, str] | None:
    """Two comma-separated values, e.g. a header name and the value that marks HTTPS."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    parts = [item.strip() for item in raw.split(",")]
    if len(parts) != 2 or not all(parts):
        raise ImproperlyConfigured(f"{name} must be two comma-separated values; got {raw!r}")
    return parts[0], parts[1]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
    return value
