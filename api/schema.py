"""The error answers of the contract, written into every operation of the OpenAPI schema.

Views declare their successful bodies; the errors are the same everywhere (API.md), so they
are added here once rather than on each view: 401 without a valid token, 403 for a role that
may not call the path, 404 for an object the caller's association does not hold, 400 with a
body naming each bad field.
"""

PUBLIC_PATHS = ("/api/v1/", "/api/v1/auth/token/")
DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Each bad field (or `non_field_errors`, `detail`) with its messages.",
    "additionalProperties": True,
}
ERRORS = {
    "400": ("Bad input: the body names each bad field or parameter.", "FieldErrors"),
    "401": ("No token, or a bad one.", "Detail"),
    "403": ("The caller's role may not do this.", "Detail"),
    "404": ("No such object in the caller's association.", "Detail"),
}


def _response(code):
    description, component = ERRORS[code]
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Detail", DETAIL)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            codes = ["400"]
            if path not in PUBLIC_PATHS:
                codes += ["401", "403"]
            if "{" in path:
                codes.append("404")
            for code in codes:
                responses.setdefault(code, _response(code))
    return result
