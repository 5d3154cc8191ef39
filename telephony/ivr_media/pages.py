"""Platform console: IVR audio, DTMF rules, media block IPs. Access policies and the
navigation entry of this area's pages (see web.pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMIN
from web.pages import OPERATIONS, PLATFORM, Nav, Page

# The platform's own pages: admins change, auditors read, everyone else gets 404.
PAGES: list[Page] = [
    # Every page of the area lives under the entry's URL, so the entry stays highlighted.
    Page(
        "ivr_audio_list",
        PLATFORM,
        nav=Nav(_("IVR & media"), order=160, roles={ADMIN}, group=OPERATIONS),
    ),
    Page("ivr_audio_create", PLATFORM),
    Page("ivr_audio_edit", PLATFORM),
    Page("ivr_audio_delete", PLATFORM),
    Page("ivr_tools", PLATFORM),
    Page("dtmf_rule_list", PLATFORM),
    Page("dtmf_rule_create", PLATFORM),
    Page("dtmf_rule_edit", PLATFORM),
    Page("dtmf_rule_delete", PLATFORM),
    Page("media_block_list", PLATFORM),
    Page("media_block_delete", PLATFORM),
]
