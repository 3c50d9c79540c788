"""Paging bounds of the list endpoints: the code refuses what openapi.py declares outside."""

MAX_PAGE = 1000
MAX_OFFSET = 2**31 - 1  # larger offsets overflow the databases' integer parameters
