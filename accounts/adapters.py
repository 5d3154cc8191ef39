from allauth.account.adapter import DefaultAccountAdapter


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """People join by invitation only; there is no open sign-up page."""

    def is_open_for_signup(self, request) -> bool:
        return False
