"""Header cells as bureaus type them are read as the template's columns."""
from __future__ import annotations

import pytest

from network.headers import closest_header, header_lookup, normalise_header
from network.imports import STATIONS, read_headers
from org.imports import MEDIATORS


@pytest.mark.parametrize("cell", ["机构名称", " 机构名称 ", "机构\n名称", "机构名称（必填）",
                                  "机构名称(必填)", "机构名称\n（必填）", "机构名称*",
                                  "机构名称 【必填】", "机构　名称"])
def test_spaces_breaks_brackets_and_hints_are_ignored(cell):
    assert normalise_header(cell) == "机构名称"


def test_full_width_brackets_inside_a_name_are_folded_not_dropped():
    assert normalise_header("标的金额（元）") == "标的金额(元)"


def test_aliases_and_variants_name_the_columns_and_say_so():
    mapping = read_headers(STATIONS, ["机构编码（必填）", "名称", "层级", "上级编码", "类型",
                                      "行政区划代码", "地址", "联系电话", "成立日期", "经度",
                                      "纬度"])
    assert mapping.problem is None
    assert mapping.headers == [h for h in STATIONS.headers if h != "状态"]
    assert [str(m) for m in mapping.renamed] == [
        "「机构编码（必填）」按「机构编码」读取", "「名称」按「机构名称」读取",
        "「上级编码」按「上级机构编码」读取", "「类型」按「机构类型」读取", "「联系电话」按「电话」读取"]


def test_the_template_headers_need_no_mapping():
    mapping = read_headers(MEDIATORS, MEDIATORS.headers)
    assert (mapping.problem, mapping.renamed, mapping.headers) == (None, [], MEDIATORS.headers)


def test_an_unknown_header_is_named_with_the_closest_known_one():
    headers = [h for h in STATIONS.headers if h != "机构名称"] + ["机构明称", "备注"]
    problem = str(read_headers(STATIONS, headers).problem)
    assert "缺少列：机构名称" in problem
    assert "无法识别的列：机构明称（最接近的是「机构名称」）；备注（没有相近的列）" in problem


def test_an_alias_beside_its_column_is_a_repeated_column():
    problem = str(read_headers(STATIONS, [*STATIONS.headers, "名称"]).problem)
    assert "重复的列：机构名称" in problem


def test_only_status_may_be_left_out():
    without = [h for h in MEDIATORS.headers if h not in ("状态", "学历")]
    assert "缺少列：学历）" in str(read_headers(MEDIATORS, without).problem)


def test_an_alias_naming_two_columns_is_refused():
    with pytest.raises(ValueError, match="两|two"):
        header_lookup(["名称", "机构名称"], {"机构名称": ("名称",)})
    assert closest_header("联系店话", ["电话", "联系电话"]) == "联系电话"
