"""switch.vos.describe_error: the one place a VOS failure is put in words."""

from __future__ import annotations

from switch import vos
from vos3000.errors import VosApiError, VosUnavailable, VosValidationError


def _unavailable(endpoint: str, *, applied: bool) -> VosUnavailable:
    return VosUnavailable(
        "http://10.0.0.9:8080 timed out", may_have_been_applied=applied, endpoint=endpoint
    )


def test_it_says_a_failed_read_could_not_be_read_and_never_talks_of_changes():
    for applied in (False, True):
        words = vos.describe_error(_unavailable("GetCustomer", applied=applied))
        assert "cannot be reached" in words and "could not be read" in words
        assert "change" not in words and "10.0.0.9" not in words


def test_it_says_an_unsent_write_changed_nothing():
    words = vos.describe_error(_unavailable("Pay", applied=False), write=True)
    assert "Nothing was changed" in words


def test_it_tells_a_person_to_look_before_repeating_a_write_that_may_have_been_made():
    plain = vos.describe_error(_unavailable("ModifyPhone", applied=True))
    advised = vos.describe_error(_unavailable("ModifyPhone", applied=True), write=True)
    assert "may or may not have been made" in plain and "we are checking" in plain
    assert "may or may not have been made" in advised and "reload the page" in advised
    # A read that failed inside a write's flow is still a read.
    assert "could not be read" in vos.describe_error(
        _unavailable("GetPhone", applied=True), write=True
    )


def test_it_words_a_refusal_and_a_validation_problem():
    refused = VosApiError(-10007, "account exists", endpoint="CreateCustomer")
    assert vos.describe_error(refused) == (
        "The switch refused the request: account exists (code -10007)."
    )
    invalid = VosValidationError("lockType", "enum", "must be one of 0, 1")
    assert (
        vos.describe_error(invalid) == "The switch would not accept lockType: must be one of 0, 1"
    )
