"""Simplified Chinese ships complete, and the compiled catalogue matches its source."""

import ast
import gettext
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def _po_entries(path: Path) -> dict[str, str]:
    entries, msgid, msgstr, current = {}, None, None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            msgid, current = ast.literal_eval(line[6:]), "id"
        elif line.startswith("msgstr "):
            msgstr, current = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"') and current:
            if current == "id":
                msgid += ast.literal_eval(line)
            else:
                msgstr += ast.literal_eval(line)
        elif not line.strip() and msgid is not None:
            if msgid:
                entries[msgid] = msgstr
            msgid, msgstr, current = None, None, None
    return entries


def test_it_translates_every_message_into_chinese():
    source = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in source, "review the fuzzy entries: gettext does not use them"
    entries = _po_entries(LOCALE / "django.po")
    assert entries
    assert [key for key, value in entries.items() if not value] == []


def test_it_ships_a_compiled_catalogue_that_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, msgstr in _po_entries(LOCALE / "django.po").items():
        assert compiled.gettext(msgid) == msgstr, f"recompile django.mo: {msgid!r}"


@pytest.mark.django_db
def test_it_shows_the_dashboard_in_chinese(client):
    client.force_login(UserFactory(language="zh-hans"))
    assert "仪表板" in client.get(reverse("dashboard")).text
