"""Which passwords are refused: too short, digits only, one repeated character, the user name,
or one of the passwords every guessing list tries first (12345678, password, qwerty123 …).

A short built-in list, not a breach corpus: the portal runs offline, and the log-in throttle
(org.throttle) already limits online guessing to a few tries; what is left to stop is the
password an attacker guesses in those few tries.
"""
from __future__ import annotations

from network.errors import Msg

MIN_LENGTH = 8

COMMON = frozenset("""
12345678 123456789 1234567890 0123456789 87654321 987654321 11223344 12341234 12344321
11111111 00000000 88888888 66666666 99999999 12121212 11112222 13579246 147258369 123123123
password password1 password123 passw0rd p@ssw0rd p@ssword admin123 admin1234 administrator
root1234 qwerty123 qwertyui qwertyuiop 1qaz2wsx 1q2w3e4r 1q2w3e4r5t qazwsxedc zaq12wsx
abc12345 abcd1234 abc123456 a1234567 a12345678 aa123456 iloveyou welcome1 letmein1
asdfghjk asdf1234 zxcvbnm1 woaini520 woaini1314 5201314520 admin888 test1234 changeme
""".split())


def password_problem(password: str, username: str = "") -> Msg | None:
    """Why `password` is refused, or None."""
    if len(password) < MIN_LENGTH:
        return Msg("密码至少%(n)d位", n=MIN_LENGTH)
    lowered = password.lower()
    if (password.isdigit() or len(set(password)) == 1 or lowered in COMMON
            or (username and lowered == username.strip().lower())):
        return Msg("密码太简单：不能是纯数字、重复字符、用户名或常见密码")
    return None
