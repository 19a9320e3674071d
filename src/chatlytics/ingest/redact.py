"""PII redaction before storage: e-mail addresses, phone numbers and card numbers become placeholders.

Applied to every string of an event's properties and to its page URL, before validation, so that the
raw log, the projections and the failed-events table never hold them. Lead contact fields and the
catalogue's id properties are kept: ids are never changed.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 13 to 19 digits, optionally grouped by spaces or dashes; kept only when the Luhn check passes.
CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
DIGIT = re.compile(r"\d")
# Fewer digits than this and a text holds no card number, nor a phone number worth the matcher's time.
MIN_DIGITS = 7
# Texts the phone matcher found nothing in (a screen size, a version): checked once, not per event.
# Only such texts are remembered, so no personal data is kept; the set is emptied when full.
KNOWN_CLEAN = 4096
NOTHING: frozenset[str] = frozenset()
MESSAGE_ID = frozenset({"message_id"})
KEPT: dict[str, frozenset[str]] = {
    "lead_submitted": frozenset({"name", "email", "phone", "lead_id"}),
    "user_message": MESSAGE_ID,
    "bot_response": MESSAGE_ID,
    "system_message": MESSAGE_ID,
    "product_interest": frozenset({"product_id"}),
}


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[card]" if luhn_ok(digits) else match.group(0)


class Redactor:
    """Redacts text for one phone-number region (numbers written without a country code)."""

    def __init__(self, region: str) -> None:
        self.region = region.upper()
        self._no_phone: set[str] = set()

    def text(self, value: str) -> str:
        digits = len(DIGIT.findall(value)) >= MIN_DIGITS
        if digits:
            value = CARD.sub(_card, value)
        if "@" in value:
            value = EMAIL.sub("[email]", value)
        # The placeholders hold no digits: only a text that had enough can still have enough.
        if digits and len(DIGIT.findall(value)) >= MIN_DIGITS:
            value = self._phones(value)
        return value

    def _phones(self, value: str) -> str:
        if value in self._no_phone:
            return value
        found = list(
            phonenumbers.PhoneNumberMatcher(
                value, self.region, leniency=phonenumbers.Leniency.VALID
            )
        )
        if not found:
            if len(self._no_phone) >= KNOWN_CLEAN:
                self._no_phone.clear()
            self._no_phone.add(value)
        for match in reversed(found):
            value = value[: match.start] + "[phone]" + value[match.end :]
        return value

    def value(self, value: Any) -> Any:
        """A copy of `value` with every string inside it redacted, lists and objects walked."""
        if isinstance(value, str):  # most properties: no container to walk
            return self.text(value)
        # A loop over a stack, not recursion: the body parser takes nesting deeper than Python's
        # stack, and such an event must reach the validator to be refused with its reason.
        top = self._copy(value)
        stack = [top] if isinstance(top, list | dict) else []
        while stack:
            container = stack.pop()
            keys = range(len(container)) if isinstance(container, list) else list(container)
            for key in keys:
                child = container[key] = self._copy(container[key])
                if isinstance(child, list | dict):
                    stack.append(child)
        return top

    def _copy(self, value: Any) -> Any:
        """A string redacted, a container copied (its items still to be walked), the rest as is."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return list(value)
        if isinstance(value, dict):
            return dict(value)
        return value

    def event(self, raw: Any) -> Any:
        """One raw event with its free text redacted (ids and lead contacts untouched): a copy where
        something was redacted, else the event itself, as most events hold nothing to redact."""
        if not isinstance(raw, dict):
            return self.value(raw)
        changes: dict[str, Any] = {}
        url = raw.get("page_url")
        if isinstance(url, str) and (redacted_url := self.text(url)) != url:
            changes["page_url"] = redacted_url
        props = raw.get("properties")
        if isinstance(props, dict):
            kind = raw.get("type")
            keep = KEPT.get(kind, NOTHING) if isinstance(kind, str) else NOTHING
            redacted: dict[str, Any] = {}
            for key, item in props.items():
                if key in keep:
                    continue
                if isinstance(item, str):
                    if (text := self.text(item)) != item:
                        redacted[key] = text
                elif isinstance(item, list | dict):
                    # Always the copy: comparing could recurse past Python's stack.
                    redacted[key] = self.value(item)
            if redacted:
                changes["properties"] = {**props, **redacted}
        return {**raw, **changes} if changes else raw
