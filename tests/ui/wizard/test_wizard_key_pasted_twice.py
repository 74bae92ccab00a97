"""Item 25: a consumer key pasted twice in a row ("3MVG…3MVG…") is caught like other paste mistakes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.ui.wizard.validation import KEY_PREFIX, check_consumer_key, pasted_twice

KEY = KEY_PREFIX + "9lKcPoNINVBIPJjdw1J9LLM82HnFVVX19KY1uA5mu0QqLWMVBHa0ZaqsCmZ9JRz2Ml4oyuFEhs0X7PNvLBvsv"
_KEY_TAIL = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._", min_size=36,
                    max_size=90)


def test_key_pasted_twice_is_an_error_that_says_so() -> None:
    check = check_consumer_key(KEY + KEY)
    assert check.level == "error" and "pasted twice" in check.message
    assert not check.ok
    assert check_consumer_key(f"  {KEY}{KEY}\n").level == "error"  # cleaned first, then caught
    assert check_consumer_key(KEY).level == "ok"


@settings(max_examples=200, deadline=None)
@given(_KEY_TAIL)
def test_key_pasted_twice_detected_for_any_key_and_never_for_a_single_one(tail: str) -> None:
    key = KEY_PREFIX + tail
    assert pasted_twice(key + key)
    assert check_consumer_key(key + key).level == "error"
    assert not pasted_twice(key)
    assert check_consumer_key(key).level == "ok"
    assert not pasted_twice(key + key[:-1])  # not two copies: left to the other checks
