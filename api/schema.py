"""The OpenAPI description as the API answers: every operation may also answer 400 (a value
it cannot read), 401 (no usable token), 403 (not the owner's to see or do), 404 (not there,
or not the owner's to know) and 429 (too many calls), each with its reason in ``detail``; and
the path parameters carry an example from the seed (2023, 004), so a tool trying the API
reaches real records."""

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# a field that cannot be read: {"field": ["why"]} (or detail)
INVALID = {"type": "object", "additionalProperties": True}
ANSWERS = {
    "400": ("a value that cannot be read, named with the reason", INVALID),
    "401": ("no usable token (none, unknown, revoked, expired, account disabled)", ERROR),
    "403": ("not the token owner's to see or do, or a read-only token changing data", ERROR),
    "404": ("not there, or not the token owner's to know", ERROR),
    "429": ("too many calls with this token: wait the seconds said", ERROR),
}
EXAMPLES = {"year": 2023, "code": "004", "version": 1}


def describe_errors(result, generator, request, public):
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, (description, schema) in ANSWERS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": schema}},
                    },
                )
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"] in EXAMPLES:
                    parameter["example"] = EXAMPLES[parameter["name"]]
    return result
