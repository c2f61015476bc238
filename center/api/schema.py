"""The OpenAPI contract's shared parts: one error component on every operation, and links.

`PortalAutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds to each operation the error
answers `center.api.exceptions.portal_exception_handler` can give it, all with the body
`{"error": {"code", "message", "details"}}` (component `Error`):

- 400 for operations that take a body or query parameters (validation errors, bad filter
  values; `details` maps each field to its messages),
- 401 for every operation (no credentials, or a wrong or expired token) and 403 (no right
  to act),
- 404 for operations with a path parameter, paginated lists (a page out of range) and writes
  (an object named in the body does not exist),
- 409 for writes (the object's state does not allow the transition),
- 429 when the operation is throttled, with the `Retry-After` header.

`add_links` (a postprocessing hook) adds OpenAPI links from each list to the operations on
one of its items, and from each create operation to the created object's operations, so
clients and fuzzers can follow real ids.
"""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from rest_framework import permissions

ERROR_COMPONENT = "Error"

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer of the API has this body.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Machine-readable reason, e.g. invalid, parse_error, not_authenticated, "
                    "authentication_failed, permission_denied, forbidden, not_found, invalid_transition, "
                    "throttled.",
                },
                "message": {
                    "type": "string",
                    "description": "Human-readable message, in the request's language.",
                },
                "details": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "For validation errors: each invalid field (or `non_field_errors`) with "
                    "its messages; for throttling: `retry_after_seconds`; otherwise empty or specific to "
                    "the code.",
                },
            },
            "required": ["code", "message", "details"],
        }
    },
    "required": ["error"],
}

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
OPEN_PERMISSIONS = (permissions.AllowAny, permissions.IsAuthenticatedOrReadOnly)


class PortalAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        component = ResolvedComponent(
            name=ERROR_COMPONENT, type=ResolvedComponent.SCHEMA, object=ERROR_COMPONENT, schema=ERROR_SCHEMA
        )
        registry.register_on_missing(component)
        responses = operation.setdefault("responses", {})
        for code, description, headers in self._error_responses(operation):
            responses.setdefault(
                code,
                {
                    "description": description,
                    **({"headers": headers} if headers else {}),
                    "content": {"application/json": {"schema": component.ref}},
                },
            )
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema.get("format") == "time":
            # DRF writes times as "08:30:00", without the offset JSON Schema's "time" requires.
            schema["format"] = "partial-time"
            schema["pattern"] = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"
        return schema

    def _error_responses(self, operation):
        write = self.method in WRITE_METHODS
        has_path_params = bool(re.search(r"{\w+}", self.path))
        query_params = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        paginated = any(p["name"] == "page" for p in query_params)
        if write or query_params:
            fields = self._request_field_names() if write else []
            detail = f" (fields: {', '.join(fields)})" if fields else ""
            yield (
                "400",
                "Invalid input: `details` maps each invalid field or parameter to its messages"
                + detail
                + ".",
                None,
            )
        yield (
            "401",
            "Not authenticated: no credentials, or the token is wrong, expired or its account "
            "inactive (`WWW-Authenticate: Token`).",
            None,
        )
        if write or not self._open_to_anyone():
            yield "403", "Authenticated, but not allowed to do this.", None
        else:
            yield "403", "A session was sent and refused (e.g. a write without its CSRF token).", None
        if has_path_params or paginated or write:
            yield (
                "404",
                "Not found, or not visible to the caller"
                + (" (or a page out of range)" if paginated else "")
                + ".",
                None,
            )
        if write:
            yield (
                "409",
                "The object's state does not allow this (e.g. an application already submitted).",
                None,
            )
        if self.view.get_throttles():
            yield (
                "429",
                "Too many requests: wait the number of seconds in `Retry-After`.",
                {
                    "Retry-After": {
                        "description": "Seconds to wait before the next request.",
                        "schema": {"type": "integer"},
                    }
                },
            )

    def _open_to_anyone(self) -> bool:
        return all(isinstance(p, OPEN_PERMISSIONS) for p in self.view.get_permissions())

    def _request_field_names(self) -> list[str]:
        serializer = force_instance(self.get_request_serializer())
        fields = getattr(serializer, "fields", None)
        if not fields:
            return []
        return [name for name, field in fields.items() if not field.read_only]


# --- links ------------------------------------------------------------------------------------

_PARAM = re.compile(r"{(\w+)}")


def _item_schema(schema: dict, components: dict) -> tuple[dict | None, str]:
    """The item schema of a 2xx response and the JSON pointer prefix of its first item."""

    def resolve(s):
        while s and "$ref" in s:
            s = components.get(s["$ref"].rsplit("/", 1)[-1])
        return s

    s = resolve(schema)
    if not s:
        return None, ""
    if s.get("type") == "array":
        return resolve(s.get("items")), "/0"
    results = s.get("properties", {}).get("results")
    if results and results.get("type") == "array":
        return resolve(results.get("items")), "/results/0"
    return s, ""


def _source_field(param: str, properties: dict) -> str | None:
    if param in properties:
        return param
    for name in properties:
        if name.endswith("_" + param):
            return name
    return None


def add_links(result, generator, request, public):
    """Postprocessing hook: links from lists and creates to the operations on their items."""
    components = result.get("components", {}).get("schemas", {})
    paths = result.get("paths", {})
    for path, item in paths.items():
        for method, operation in item.items():
            is_create = method == "post" and path.endswith("/create/")
            is_list = method == "get"
            if not (is_create or is_list):
                continue
            base = path[: -len("create/")] if is_create else path
            code = "201" if is_create else "200"
            response = operation.get("responses", {}).get(code)
            if not response:
                continue
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            item_schema, prefix = _item_schema(schema, components)
            if not item_schema or (is_list and not prefix):
                continue
            if _PARAM.findall(base):
                continue  # nested under a parent id: not a plain list/detail pair
            properties = item_schema.get("properties", {})
            links = {}
            for target_path, target_item in paths.items():
                if not target_path.startswith(base) or target_path == path:
                    continue
                rest = target_path[len(base) :]
                params = _PARAM.findall(rest)
                if len(params) != 1 or not rest.startswith("{"):
                    continue
                field = _source_field(params[0], properties)
                if field is None:
                    continue
                for target_method, target in target_item.items():
                    if is_list and target_method != "get":
                        continue
                    name = target["operationId"]
                    links[name] = {
                        "operationId": name,
                        "parameters": {params[0]: f"$response.body#{prefix}/{field}"},
                        "description": f"The `{field}` of the {'first listed item' if prefix else 'created object'}"
                        f" is the `{params[0]}` of {target_method.upper()} {target_path}.",
                    }
            if links:
                response["links"] = links
    return result
