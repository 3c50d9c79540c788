import datetime as dt

import pytest

from org.identity import check_id_number, check_mobile, mask_id_number, mask_mobile

# 11010519491231002X: the textbook example; weighted sum of the first 17 digits is 167,
# 167 mod 11 = 2, so the check character is "X"; digit 17 (2) is even: female.
TEXTBOOK = "11010519491231002X"


def test_valid_number_gives_birth_date_and_gender():
    assert check_id_number(TEXTBOOK) == (TEXTBOOK, dt.date(1949, 12, 31), "F")
    assert check_id_number(TEXTBOOK.lower())[0] == TEXTBOOK


def test_checksum_must_match():
    with pytest.raises(ValueError) as err:
        check_id_number("110105194912310021")
    assert "校验位错误" in str(err.value.args[0])


@pytest.mark.parametrize("value, message", [
    ("", "必填"),
    ("11010519491231002", "应为18位"),
    ("1101051949123100AX", "格式不正确"),
    ("110105194902300021", "出生日期无效"),
])
def test_malformed_numbers(value, message):
    with pytest.raises(ValueError) as err:
        check_id_number(value)
    assert message in str(err.value.args[0])


def test_gender_and_birth_date_must_agree():
    with pytest.raises(ValueError) as err:
        check_id_number(TEXTBOOK, gender="M")
    assert "性别与身份证号不符" in str(err.value.args[0])
    with pytest.raises(ValueError) as err:
        check_id_number(TEXTBOOK, birth_date=dt.date(1950, 1, 1))
    assert "1949-12-31" in str(err.value.args[0])
    assert check_id_number(TEXTBOOK, gender="F", birth_date=dt.date(1949, 12, 31))[2] == "F"


@pytest.mark.parametrize("value, expected", [
    ("13812341234", "13812341234"),
    ("138 1234 1234", "13812341234"),
    ("+86 138-1234-1234", "13812341234"),
])
def test_mobile_normalised(value, expected):
    assert check_mobile(value) == expected


@pytest.mark.parametrize("value", ["12812341234", "1381234123", "138123412345", "0532-8888888"])
def test_mobile_refused(value):
    with pytest.raises(ValueError) as err:
        check_mobile(value)
    assert "中国大陆手机号码" in str(err.value.args[0])


def test_masking_formats():
    assert mask_id_number("370202198503150021") == "370202********0021"
    assert mask_mobile("13812341234") == "138****1234"
    assert mask_id_number(None) == "" and mask_mobile("") == ""
