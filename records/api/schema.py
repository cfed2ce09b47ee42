"""OpenAPI post-processing: the error shape and the conditional answers on every operation."""

from __future__ import annotations

from typing import Any

from records.api.common import ERROR_SCHEMA

ERRORS = {
    "400": "参数无效（错误的过滤条件、游标、排序或每页条数）",
    "404": "不存在，或所在公报尚未发布",
    "429": "请求过于频繁：见 Retry-After 头（秒）",
}

CSV_DESCRIPTION = 'CSV（UTF-8 带 BOM）：每条记录一行，嵌套字段为 a.b 列，列表以 "; " 连接'

DESCRIPTION = """\
公报门户的公开只读 API：各地人大常委会公报、政府公报中的文章、会议、人事任免、满意度测评，
以及由此整理的人员、职务与任职。只包含已发布的公报。

**稳定 id。** 每条记录有稳定的 `id`、网站上的地址 `url`、出处 `source`（公报、文章、页码、行号），
以及是否经工作人员校对（`corrected`, `corrected_fields`）。

**分页。** 所有列表用游标分页：`next` / `previous` 是完整地址，照着翻页即可；
`page_size` 默认 50、最多 200（CSV 默认 1000、最多 5000）；`ordering` 选择排序字段。

**增量同步。** 每个列表都有 `updated_since`（ISO 8601）。删除或撤回的记录见 `/api/v1/changes/?since=`：
先处理 changes 再按 updated_since 取更新，镜像即与本站一致。

**导出。** `/api/v1/gazettes/{id}/export.json` 是一期公报的 gazette/1 JSON（与解析器输出同形，含校对）；
每个列表加 `?format=csv` 得到 UTF-8（带 BOM）的 CSV。整库转储：`manage.py export_dump DIR`。

**缓存。** 回答带 `ETag` 与 `Last-Modified`；带 `If-None-Match` / `If-Modified-Since` 再请求，
未变化时回答 304，不含正文。

**限流。** 匿名访问按客户端限速；超出时回答 429，并在 `Retry-After` 中给出秒数。

**错误。** 一律为 JSON：`{"error": {"status": 404, "code": "not_found", "message": "…"}}`。
"""


def add_common_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Describe the API, the error shape (400/404/429), 304 and empty query values on every GET."""
    result.setdefault("info", {})["description"] = DESCRIPTION
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method != "get":
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("name") == "id":
                    parameter["schema"] = {"type": "integer", "minimum": 1}
                    parameter["description"] = "记录的稳定 id"
                if parameter.get("in") == "query":
                    # An empty value is the same as none (as in the site's filter forms).
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            csv = responses.get("200", {}).get("content", {}).get("text/csv")
            if csv is not None:
                csv.clear()
                csv["schema"] = {"type": "string", "description": CSV_DESCRIPTION}
            for code, text in ERRORS.items():
                responses.setdefault(
                    code, {"description": text, "content": {"application/json": {"schema": ref}}}
                )
            responses.setdefault(
                "304", {"description": "未变化（If-None-Match / If-Modified-Since 命中），无正文"}
            )
    return result
