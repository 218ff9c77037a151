"""Touches to the generated OpenAPI schema that the views cannot express themselves."""


def integer_path_ids(result, generator, request, public):
    """Describe digit-only path parameters as what they are: integer ids.

    The URL patterns only match digits there (anything else is a 404 before any view
    runs), which drf-spectacular would otherwise publish as a string with a pattern.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                pattern = parameter.get("schema", {}).get("pattern")
                if parameter.get("in") == "path" and pattern in ("^[0-9]+$", r"^\d+$"):
                    parameter["schema"] = {"type": "integer"}
    return result
