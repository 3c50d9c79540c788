"""The OpenAPI 3 description of /api/v1; kept beside the routes it describes."""
from __future__ import annotations

from evaluation.periods import MAX_MONTHS

from .paging import MAX_OFFSET, MAX_PAGE

ERROR = {"$ref": "#/components/schemas/Error"}
# the paging of every list endpoint (admin.api.core.page_bounds refuses anything outside)
PAGE_PARAMS = [
    {"name": "limit", "in": "query", "schema": {
        "type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": MAX_PAGE}},
    {"name": "offset", "in": "query", "schema": {
        "type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}},
]


def _errors(*codes: int) -> dict:
    text = {400: "参数错误", 401: "未登录或令牌无效", 403: "超出管辖范围", 404: "不存在"}
    return {str(c): {"description": text[c], "content": {"application/json": {"schema": ERROR}}}
            for c in codes}


def _kpis_schema() -> dict:
    count = {"type": "integer"}
    rate = {"type": "number", "description": "4 位小数"}
    amount = {"type": "string", "pattern": r"^\d+\.\d{2}$", "description": "元，两位小数"}
    return {"type": "object", "properties": {
        "station": {"type": "string"}, "name": {"type": "string"},
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "received": count, "closed": count, "succeeded": count, "failed": count,
        "withdrawn": count, "success_rate": rate, "amount_involved": amount,
        "agreed_amount": amount, "avg_days": {"type": "number", "description": "1 位小数"},
        "online": count, "judicial_confirmed": count, "fulfilment_rate": rate,
        "month": {"type": "string", "description": "YYYY-MM（仅按月统计）"},
    }}


# the days the KPI code accepts (1901-01-01 to 2999-12-31), as a schema can say it
DAY = {"type": "string", "format": "date",
       "pattern": r"^(19(0[1-9]|[1-9][0-9])|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"}


def _kpi_paths() -> dict:
    params = [
        {"name": "station", "in": "query", "schema": {"type": "string"},
         "description": "机构编码（统计其整个子树）；缺省为调用者的管辖机构，"
                        "系统管理员缺省为唯一的顶级机构（有多个顶级机构时必填，否则 400）"},
        {"name": "from", "in": "query", "required": True, "schema": DAY},
        {"name": "to", "in": "query", "required": True, "schema": DAY,
         "description": "不早于 from"},
    ]
    monthly = [*params[:2], {**params[2], "description": "不早于 from；按月统计时范围不超过 "
                                                       f"{MAX_MONTHS} 个月（否则 400）"}]
    one = {"$ref": "#/components/schemas/Kpis"}
    many = {"type": "array", "items": one}
    paths = {}
    for path, summary, schema in (
            ("/kpis", "机构子树在日期范围内的十二项指标", one),
            ("/kpis/children", "每个直接下级机构的指标", many),
            ("/kpis/monthly", "按月的指标（首末月按范围截取）", many)):
        paths[path] = {"get": {
            "summary": summary, "parameters": monthly if path.endswith("/monthly") else params,
            "responses": {"200": {"description": summary, "content": {
                "application/json": {"schema": schema}}}, **_errors(400, 401, 403, 404)},
        }}
    return paths


def _eligibility_path() -> dict:
    value = {"description": "整数，或小数（字符串，如 \"0.6000\"、\"20.0\"）"}
    criterion = {"type": "object", "required": ["key", "required", "actual", "met"],
                 "properties": {
                     "key": {"type": "string", "enum": [
                         "months_at_grade", "closed_cases", "success_rate", "training_hours",
                         "no_upheld_complaint"]},
                     "required": value, "actual": {**value, "nullable": True},
                     "met": {"type": "boolean"}}}
    grade = {"type": "string", "enum": ["none", "4", "3", "2", "1"],
             "description": "none 未定级, 4 四级 … 1 一级"}
    body = {"type": "object", "properties": {
        "staff_no": {"type": "string"}, "station": {"type": "string", "description": "机构编码"},
        "grade": grade, "grade_since": {"type": "string", "format": "date", "nullable": True},
        "next_grade": {**grade, "nullable": True, "description": "一级时为 null"},
        "eligible": {"type": "boolean"},
        "criteria": {"type": "array", "items": criterion,
                     "description": "一级时为空；no_upheld_complaint 的 actual 为统计期内属实投诉数"}}}
    return {"/mediators/{staff_no}": {"get": {
        "summary": "调解员晋升下一等级的条件：每项的要求值、实际值、是否达到",
        "parameters": [
            {"name": "staff_no", "in": "path", "required": True, "schema": {"type": "string"},
             "description": "工号；调解员本人只能查询自己"},
            {"name": "as_of", "in": "query", "schema": DAY,
             "description": "基准日期 YYYY-MM-DD，缺省为今天；统计期为其前12个月"}],
        "responses": {"200": {"description": "晋升条件", "content": {
            "application/json": {"schema": body}}}, **_errors(400, 401, 403, 404)},
    }}}


def _training_paths() -> dict:
    year = {"name": "year", "in": "query", "required": True,
            "schema": {"type": "integer", "minimum": 1901, "maximum": 2999}}
    station = {"name": "station", "in": "query", "schema": {"type": "string"},
               "description": "机构编码（统计其整个子树）；缺省为调用者的管辖机构"}
    hours_str = {"type": "string", "pattern": r"^\d+\.\d$", "description": "学时，一位小数"}
    hours = {"type": "object", "properties": {
        "mediator": {"type": "string", "description": "工号"}, "year": {"type": "integer"},
        "hours": hours_str,
        "participations": {"type": "integer", "description": "认定学时大于0的出勤记录数"},
        "by_kind": {"type": "object", "additionalProperties": hours_str}}}
    coverage = {"type": "object", "properties": {
        "station": {"type": "string"}, "year": {"type": "integer"},
        "population": {"type": "integer", "description": "子树内在岗调解员数"},
        "met": {"type": "integer", "description": "年度学时达标人数"},
        "coverage_rate": {"type": "string", "description": "met / population，4 位小数"},
        "sessions": {"type": "integer", "description": "子树主办、当年开始、未取消的场次数"},
        "participant_times": {"type": "integer", "description": "这些场次中认定学时大于0的人次"},
        "hours": hours_str}}
    session = {"type": "object", "properties": {
        "code": {"type": "string"}, "course": {"type": "string"}, "kind": {"type": "string"},
        "host": {"type": "string"}, "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"}, "hours": hours_str,
        "capacity": {"type": "integer"}, "booked": {"type": "integer"},
        "seats_left": {"type": "integer"},
        "status": {"type": "string", "enum": ["planned", "open", "finished", "cancelled"]}}}
    sessions = {"type": "object", "properties": {
        "station": {"type": "string"},
        "from": {"type": "string", "format": "date", "nullable": True},
        "to": {"type": "string", "format": "date", "nullable": True},
        "total": {"type": "integer", "description": "条件内的场次总数（各页合计）"},
        "offset": {"type": "integer"}, "limit": {"type": "integer"},
        "sessions": {"type": "array", "items": session,
                     "description": "按开始时间排序的一页（offset 起最多 limit 个）"}}}

    def get(summary, params, schema, errors=(400, 401, 403, 404)):
        return {"get": {"summary": summary, "parameters": params, "responses": {
            "200": {"description": summary, "content": {"application/json": {"schema": schema}}},
            **_errors(*errors)}}}

    day = DAY  # the days every date parameter accepts
    return {
        "/training/hours": get("调解员某年的认定学时（调解员账号仅限本人）", [
            {"name": "mediator", "in": "query", "required": True,
             "schema": {"type": "string", "minLength": 1, "maxLength": 32,
                        "pattern": r"^[A-Za-z0-9][A-Za-z0-9_\-]*$"},
             "description": "工号"}, year], hours),
        "/training/coverage": get("机构子树某年的培训覆盖率", [station, year], coverage),
        "/training/sessions": get("机构子树主办的场次及已占名额", [
            station, {"name": "from", "in": "query", "schema": day},
            {"name": "to", "in": "query", "schema": day}, *PAGE_PARAMS], sessions),
    }


def spec() -> dict:
    station = {
        "type": "object",
        "properties": {
            "code": {"type": "string"}, "name": {"type": "string"},
            "level": {"type": "integer", "description": "0 省级, 1 市级, 2 县级, 3 社区级"},
            "level_name": {"type": "string"}, "parent": {"type": "string", "nullable": True},
            "kind": {"type": "string"}, "division": {"type": "string", "nullable": True},
            "status": {"type": "string", "enum": ["active", "suspended", "closed"]},
            "status_name": {"type": "string"},
            "address": {"type": "string", "nullable": True},
            "phone": {"type": "string", "nullable": True},
            "longitude": {"type": "number", "nullable": True},
            "latitude": {"type": "number", "nullable": True},
            "children": {"type": "integer", "description": "直接下级机构数"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "金融纠纷调解网络管理平台 API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"cookie": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "flask --app wsgi users token USERNAME"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"],
                          "properties": {"error": {"type": "string"},
                                         "message": {"type": "string"}}},
                "Station": station,
                "Kpis": _kpis_schema(),
            },
        },
        "paths": {
            **_kpi_paths(),
            **_eligibility_path(),
            **_training_paths(),
            "/stations/{code}": {
                "get": {
                    "summary": "一个机构",
                    "parameters": [{"name": "code", "in": "path", "required": True,
                                    "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "机构", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Station"}}}},
                        **_errors(401, 403, 404)},
                }
            },
            "/stations": {
                "get": {
                    "summary": "调用者可见的机构子树",
                    "parameters": [
                        {"name": "under", "in": "query", "schema": {"type": "string"},
                         "description": "子树根机构编码；缺省为调用者的管辖范围"},
                        *PAGE_PARAMS,
                    ],
                    "responses": {"200": {"description": "机构列表", "content": {
                        "application/json": {"schema": {
                            "type": "object",
                            "properties": {
                                "total": {"type": "integer"}, "offset": {"type": "integer"},
                                "limit": {"type": "integer"},
                                "items": {"type": "array", "items": {
                                    "$ref": "#/components/schemas/Station"}}}}}}},
                        **_errors(400, 401, 403, 404)},
                }
            },
        },
    }
