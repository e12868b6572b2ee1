"""The typed readers behind the HTTPS and log-in settings."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from qa_tool.env import env_choice, env_pair


def test_env_pair(monkeypatch):
    assert env_pair("QA_TEST_PAIR") is None
    monkeypatch.setenv("QA_TEST_PAIR", "HTTP_X_FORWARDED_PROTO, https")
    assert env_pair("QA_TEST_PAIR") == ("HTTP_X_FORWARDED_PROTO", "https")
    for bad in ("HTTP_X_FORWARDED_PROTO", "a,b,c", "a,"):
        monkeypatch.setenv("QA_TEST_PAIR", bad)
        with pytest.raises(ImproperlyConfigured, match="QA_TEST_PAIR"):
            env_pair("QA_TEST_PAIR")


def test_env_choice(monkeypatch):
    choices = ("username-ip", "username")
    assert env_choice("QA_TEST_CHOICE", "username-ip", choices) == "username-ip"
    monkeypatch.setenv("QA_TEST_CHOICE", "Username")
    assert env_choice("QA_TEST_CHOICE", "username-ip", choices) == "username"
    monkeypatch.setenv("QA_TEST_CHOICE", "ip")
    with pytest.raises(ImproperlyConfigured, match="QA_TEST_CHOICE"):
        env_choice("QA_TEST_CHOICE", "username-ip", choices)
