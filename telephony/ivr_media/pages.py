"""Platform console: IVR audio, DTMF rules, media block IPs.
Access policies of this area's URLs (see web.pages), navigation entries
(see web.context_processors) and tabs on an account's pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN
from web.pages import (
    PLATFORM,
    SIGNED_IN,  # noqa: F401
)

# The platform's own pages: admins change, auditors read, everyone else gets 404.
POLICIES: dict = {
    "ivr_audio_list": (PLATFORM, None),
    "ivr_audio_create": (PLATFORM, None),
    "ivr_audio_edit": (PLATFORM, None),
    "ivr_audio_delete": (PLATFORM, None),
    "ivr_tools": (PLATFORM, None),
    "dtmf_rule_list": (PLATFORM, None),
    "dtmf_rule_create": (PLATFORM, None),
    "dtmf_rule_edit": (PLATFORM, None),
    "dtmf_rule_delete": (PLATFORM, None),
    "media_block_list": (PLATFORM, None),
    "media_block_delete": (PLATFORM, None),
}


# Every page of the area lives under the entry's URL, so the entry stays highlighted.
NAV_ITEMS: list = [("ivr_audio_list", _("IVR & media"), {ADMIN})]


NAV_ITEMS_BY_ACTION: list = []


CUSTOMER_TABS: list = []
