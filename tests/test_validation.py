"""Phone numbers, descriptions and company names as reporters type them."""

import pytest

from knowledge.core.validation import clean_company_name, description_is_useful, normalise_phone

# Area codes 010 and 02x have three digits and an 8-digit number; the 11 digits of
# 029-88888888 are split greedily as a 4-digit code and a 7-digit number (0298-8888888).
# The docstring promises to trim a leading “我们公司叫”, but the prefix pattern only knows
# one of 我们/我司/本公司/公司/企业/单位, so “我们公司叫” is kept; and since every part but the
# verb is optional, a name starting with 是/叫/为 loses its first character.


@pytest.mark.parametrize(
    "text, expected",
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("0086 139 1234 5678", "13912345678"),
        ("8613912345678", "13912345678"),
        ("0919-3185678", "0919-3185678"),
        ("0919 3185678", "0919-3185678"),
        ("(0919)3185678", "0919-3185678"),
        ("（0919）3185678", "0919-3185678"),
        ("0919-31856789", "0919-31856789"),
        ("电话是13912345678谢谢", "13912345678"),
        ("手机：139-1234-5678。", "13912345678"),
        ("029-88888888", "029-88888888"),
        ("010-12345678", "010-12345678"),
    ],
)
def test_normalise_phone_accepts(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    ["12345", "1391234567", "23912345678", "139123456789", "12912345678", "abc", "", "0919-318", "1234-5678901"],
)
def test_normalise_phone_rejects(text):
    assert normalise_phone(text) is None


def test_normalise_phone_accepts_none():
    assert normalise_phone(None) is None


LETTER = ("尊敬的先生：贵司在展会上展出的产品涉嫌侵犯我方外观设计专利，请于三十日内答复。" * 200)[:5000]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("被告了", False),
        ("", False),
        ("被告了！！！！！！！！！！！！！！！！", False),
        ("被 告 了 ， 怎 么 办 ？ ？ ？", False),
        ("一" * 14, False),
        ("一" * 15, True),
        ("a b c d e f g h i j k l m n o", True),
        ("我们在德国展会上被指控侵犯外观设计专利", True),
        (LETTER, True),
    ],
)
def test_description_is_useful(text, expected):
    assert description_is_useful(text) is expected


def test_the_letter_is_really_long():
    assert len(LETTER) == 5000


@pytest.mark.parametrize(
    "text, expected",
    [
        ("铜川某某陶瓷有限公司", "铜川某某陶瓷有限公司"),
        ("公司名称是铜川某某陶瓷有限公司", "铜川某某陶瓷有限公司"),
        ("我司全称为铜川某某陶瓷有限公司", "铜川某某陶瓷有限公司"),
        ("公司叫铜川某某陶瓷有限公司", "铜川某某陶瓷有限公司"),
        ("本公司的名称是铜川某某陶瓷有限公司", "铜川某某陶瓷有限公司"),
        ("名称：铜川某某陶瓷有限公司", "铜川某某陶瓷有限公司"),
        ("企业名称: 铜川某某陶瓷有限公司", "铜川某某陶瓷有限公司"),
        ("  铜川某某陶瓷有限公司。 ", "铜川某某陶瓷有限公司"),
        ("铜川某某陶瓷有限公司！", "铜川某某陶瓷有限公司"),
        ("某" * 100, "某" * 100),
        ("我们公司叫铜川某某陶瓷有限公司", "铜川某某陶瓷有限公司"),
        ("为民机械有限公司", "为民机械有限公司"),
        # A question is no name.
        ("那要怎么申诉", None),
        ("这个要多久", None),
    ],
)
def test_clean_company_name(text, expected):
    assert clean_company_name(text) == expected


@pytest.mark.parametrize("text", ["A", "", "   ", "。。", "公司叫", "名称：", "某" * 101])
def test_clean_company_name_rejects(text):
    assert clean_company_name(text) is None
