import pytest
from django.core.exceptions import ImproperlyConfigured

from vosportal.env import env_bool, env_int, env_list, env_str, env_vos_servers


def test_it_reads_typed_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST") == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("reader", "value"),
    [(lambda: env_bool("X", False), "maybe"), (lambda: env_int("X", 1), "ten")],
)
def test_it_fails_loudly_on_unreadable_values(monkeypatch, reader, value):
    monkeypatch.setenv("X", value)
    with pytest.raises(ImproperlyConfigured, match="X="):
        reader()


def test_it_requires_variables_without_a_default(monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="NOT_SET_ANYWHERE"):
        env_str("NOT_SET_ANYWHERE")


def test_it_enforces_minimums(monkeypatch):
    monkeypatch.setenv("X", "-1")
    with pytest.raises(ImproperlyConfigured, match="minimum"):
        env_int("X", 1, minimum=0)


def test_it_parses_vos_servers(monkeypatch):
    monkeypatch.setenv(
        "VOS", "main=http://10.0.0.1:8080/external/server;backup=https://h/external_new/server/"
    )
    assert env_vos_servers("VOS") == [
        {"name": "main", "base_url": "http://10.0.0.1:8080/external/server/"},
        {"name": "backup", "base_url": "https://h/external_new/server/"},
    ]


@pytest.mark.parametrize("raw", ["main", "main=ftp://x/", "a=http://x/;a=http://y/"])
def test_it_rejects_bad_vos_server_lists(monkeypatch, raw):
    monkeypatch.setenv("VOS", raw)
    with pytest.raises(ImproperlyConfigured):
        env_vos_servers("VOS")


def test_env_example_lists_every_variable_the_settings_read():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    settings_text = (root / "vosportal" / "settings.py").read_text()
    read = set(re.findall(r'env_[a-z]+\(\s*"([A-Z][A-Z_0-9]+)"', settings_text))
    read |= set(re.findall(r'environ(?:\.get)?[\(\[]\s*"([A-Z][A-Z_0-9]+)"', settings_text))
    listed = set(re.findall(r"^#? ?([A-Z][A-Z_0-9]+)=", (root / ".env.example").read_text(), re.M))
    assert len(read) > 40  # the pattern still finds the settings' readers
    assert sorted(read - listed) == []
