"""Checks on what reporters type: phone numbers, company names and descriptions."""

from __future__ import annotations

import re
from typing import List, Optional, Text, Tuple

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
# A company name as people write it, up to its legal suffix (in one clause).
COMPANY_NAME = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9（）()·&]{2,40}?(?:有限责任公司|股份有限公司|有限公司|集团|公司|厂|合作社|商行|工作室)"
)
# Words before a name that are not part of it (我们是…, 公司叫…, 公司…).
COMPANY_LEAD = re.compile(r"^(?:(?:我们|我司|本公司|公司|企业|单位)(?:的)?(?:全称|名称|名字)?(?:叫|是|为)?|我们是)")
# Words of a story, not of a name (“对方是当地一家做瓷器的公司”).
NOT_A_NAME = re.compile(
    r"的|一家|这家|那家|有个|一个|那个|这个|对方|当地|我们|他们|别人|被|把|带到|说|让|侵权|登记|纠纷"
    # Words of a question (那要怎么申诉): no name asks.
    r"|怎么|什么|为啥|多久|多少|吗"
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
    if meaningful_chars(name) < MIN_COMPANY_CHARS or len(name) > MAX_COMPANY_CHARS or NOT_A_NAME.search(name):
        return None
    return name


def company_spans(text: Text) -> List[Tuple[int, int, Text]]:
    """(start, end, name) of every company name written with its legal suffix; a lead-in
    (我们是, 公司叫) is not part of the name."""
    spans = []
    for match in COMPANY_NAME.finditer(text or ""):
        lead = COMPANY_LEAD.match(match.group(0))
        start = match.start() + (lead.end() if lead else 0)
        name = text[start : match.end()]
        if meaningful_chars(name) > MIN_COMPANY_CHARS + 2 and not NOT_A_NAME.search(name):
            spans.append((start, match.end(), name))
    return spans
