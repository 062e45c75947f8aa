"""Checks on what reporters type: phone numbers, company names and descriptions."""

from __future__ import annotations

import re
from typing import Optional, Text

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code (3 digits for 010 and 020–029, 4 digits otherwise), then a 7–8 digit number.
LANDLINE = re.compile(r"^(0[12]\d|0[3-9]\d{2})(\d{7,8})$")
PHONE_NOISE = re.compile(r"[\s\-()（）－—]")
PHONE_CANDIDATE = re.compile(r"\+?[\d\s\-()（）－—]{7,20}\d")

# “我们公司叫…”, “公司名称：…”: a lead-in that is not part of the name. A name that itself
# begins with 是/叫/为 (为民机械) keeps it: the verb is stripped only after a lead-in word.
COMPANY_PREFIX = re.compile(
    r"^(?:(?:我们公司|我们企业|我们|我司|本公司|公司|企业|单位)的?(?:全称|名称|名字)?|全称|名称|名字)(?:是|叫|为)?\s*[：:]?\s*"
)
MIN_DESCRIPTION_CHARS = 15
MIN_COMPANY_CHARS = 2
MAX_COMPANY_CHARS = 100


def normalise_phone(text: Text) -> Optional[Text]:
    """A valid phone number in `text` in one form (13912345678, 0919-3185678), or None.

    Accepts spaces, hyphens, brackets and a +86 / 0086 prefix, as people type them.
    """
    for candidate in PHONE_CANDIDATE.findall(text or ""):
        digits = PHONE_NOISE.sub("", candidate).lstrip("+")
        if digits.startswith("0086"):
            digits = digits[4:]
        elif digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        if MOBILE.match(digits):
            return digits
        if match := LANDLINE.match(digits):
            return f"{match[1]}-{match[2]}"
    return None


def meaningful_chars(text: Text) -> int:
    """Characters that carry meaning: letters, digits and CJK, not spaces or punctuation."""
    return sum(1 for c in text or "" if c.isalnum())


def description_is_useful(text: Text) -> bool:
    """Long enough to tell the centre what happened (a pasted letter of any length is)."""
    return meaningful_chars(text) >= MIN_DESCRIPTION_CHARS


def clean_company_name(text: Text) -> Optional[Text]:
    """The company name as given, trimmed of a leading “我们公司叫”-style phrase; None if it
    is not plausibly a name."""
    name = COMPANY_PREFIX.sub("", text.strip())
    name = name.strip(" 。.，,！!")
    if meaningful_chars(name) < MIN_COMPANY_CHARS or len(name) > MAX_COMPANY_CHARS:
        return None
    return name
