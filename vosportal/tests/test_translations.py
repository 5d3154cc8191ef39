"""Simplified Chinese ships complete, and the compiled catalogue matches its source."""

import ast
import gettext
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def _po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr (for plural entries: msgid -> msgstr[0], Chinese having one form)."""
    entries, msgid, msgstr, current = {}, None, None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            msgid, msgstr, current = ast.literal_eval(line[6:]), "", "id"
        elif line.startswith("msgid_plural "):
            current = "plural"  # the plural source text is not what we compare
        elif line.startswith(("msgstr ", "msgstr[0] ")):
            msgstr, current = ast.literal_eval(line.split(" ", 1)[1]), "str"
        elif line.startswith("msgstr["):
            current = "other-form"
        elif line.startswith('"') and current == "id":
            msgid += ast.literal_eval(line)
        elif line.startswith('"') and current == "str":
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
        found = compiled.gettext(msgid)
        if found == msgid:  # not a singular entry: a plural one, looked up by ngettext
            found = compiled.ngettext(msgid, msgid, 1)
        assert found == msgstr, f"recompile django.mo: {msgid!r}"


@pytest.mark.django_db
def test_it_shows_the_dashboard_in_chinese(client):
    client.force_login(UserFactory(language="zh-hans"))
    assert "仪表板" in client.get(reverse("dashboard")).text
