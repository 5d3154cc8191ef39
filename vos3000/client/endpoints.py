"""One typed client method per catalog endpoint, generated at import.

``CreateCustomer`` becomes ``create_customer(*, account, name=None, ...)``: keyword
arguments are the snake_case of the request's wire names, nested Info values may be
given as the typed records of ``vos3000.types`` or as dicts with wire or snake keys,
and the answer comes back as ``vos3000.types.<Endpoint>Response``. The generated
``endpoints.pyi`` stub (``python -m vos3000.client.stubs``) mirrors these signatures
for editors and type checkers. A library convenience: the portal calls ``call(name,
payload)`` with plain dicts and does not use these methods (see README.md).
"""

from __future__ import annotations

import inspect

from vos3000 import catalog, types


class EndpointMethods:
    """Mixin of ``VosClient``: the typed methods, each a thin layer over ``call_typed``."""


def parameter_annotation(type_name: str) -> str:
    """What a caller may pass for a field of this catalog type."""
    base, is_list = types.split_type(type_name)
    if base in catalog.TYPES:
        inner = f"{base} | dict[str, Any]"
    elif types.SCALAR_TYPES.get(base) == "float":
        inner = "float | Decimal"
    else:
        inner = types.SCALAR_TYPES.get(base, "Any")
    return f"list[{inner}]" if is_list else inner


def method_signature(endpoint: catalog.Endpoint) -> inspect.Signature:
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for field in endpoint.request:
        annotation = parameter_annotation(field.type)
        default = inspect.Parameter.empty
        if field.mo != "M":
            annotation, default = f"{annotation} | None", None
        parameters.append(
            inspect.Parameter(
                types.attribute_name(field.name),
                inspect.Parameter.KEYWORD_ONLY,
                default=default,
                annotation=annotation,
            )
        )
    return inspect.Signature(parameters, return_annotation=types.response_class_name(endpoint.name))


def method_docstring(endpoint: catalog.Endpoint) -> str:
    lines = [f"{endpoint.title} (manual {endpoint.section}, POST {endpoint.name}).", ""]
    for field in endpoint.request:
        length = f", max {field.length}" if field.length else ""
        lines.append(
            f"{types.attribute_name(field.name)} ({field.mo}, {field.type}{length}): "
            f"{field.description}".rstrip()
        )
        for value, meaning in (field.enum or {}).items():
            lines.append(f"    {value}: {meaning}")
    return "\n".join(lines)


def _endpoint_method(endpoint: catalog.Endpoint):
    shape = types.REQUESTS[endpoint.name]

    def method(self, **fields):
        return self.call_typed(endpoint.name, shape.payload(fields))

    method.__name__ = catalog.python_name(endpoint.name)
    method.__qualname__ = f"EndpointMethods.{method.__name__}"
    method.__doc__ = method_docstring(endpoint)
    method.__signature__ = method_signature(endpoint)
    return method


METHOD_NAMES: dict[str, str] = {}  # method name -> endpoint wire name

for _endpoint in catalog.ENDPOINTS.values():
    _method = _endpoint_method(_endpoint)
    METHOD_NAMES[_method.__name__] = _endpoint.name
    setattr(EndpointMethods, _method.__name__, _method)
