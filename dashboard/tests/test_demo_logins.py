import re
import time
from io import StringIO

from django.core.management import call_command

from dashboard.management.commands.demo_logins import totp_now
from dashboard.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS, DEMO_USERS


def test_it_computes_totp_codes_as_rfc_6238_does():
    # RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" at T=59 s.
    assert totp_now("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", now=59) == ("287082", 1)


def test_it_prints_every_demo_login_with_a_current_code():
    out = StringIO()
    before = time.time()
    call_command("demo_logins", stdout=out)
    after = time.time()
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for email, *_ in DEMO_USERS:
        line = next(line for line in text.splitlines() if line.startswith(email + " "))
        if email in DEMO_TOTP_SECRETS:
            secret = DEMO_TOTP_SECRETS[email]
            code = re.search(rf"\s(\d{{6}})\s+{secret}$", line).group(1)
            assert code in {totp_now(secret, before)[0], totp_now(secret, after)[0]}
        else:
            assert "password alone" in line
    assert "make demo-logins" in text


def test_it_prints_one_demo_code():
    out = StringIO()
    call_command("demo_totp", "globaltel@demo.vosportal", stdout=out)
    assert re.fullmatch(r"\d{6}\n", out.getvalue())
