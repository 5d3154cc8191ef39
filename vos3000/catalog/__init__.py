"""The VOS3000 API catalog: every endpoint, nested type and push message as data.

INTERFACE CONTRACT (the client, the simulator and the portal build on exactly this):

    Field(name, mo, type, length, enum, default, description, note)
        name    wire spelling (reconstructed where the PDF text broke it)
        mo      "M" or "O"
        type    as the manual writes it, inner spaces removed: "String", "Integer",
                "Long", "Double", "Boolean", "String[]", "InfoCustomer", "InfoCdr[]" ...
        length  int | None
        enum    dict[str, str] | None   allowed value -> meaning ("0" -> "General Account")
        default JSON-ish value | None
    Endpoint(section, name, title, request, response, rules, kind, list_field)
        kind        "read" for Get* endpoints, "write" for everything else
        list_field  name of the response list field ("infoCustomers") or None
        rules       tuple of Rule (e.g. at least one of accounts/e164s; date formats)
    Push(section, name, title, request, response)

    ENDPOINTS: dict[str, Endpoint]      # 82, keyed by wire name ("CreateCustomer")
    TYPES:     dict[str, tuple[Field]]  # nested types ("InfoCustomer")
    PUSHES:    dict[str, Push]          # 6

    endpoint(name) -> Endpoint                       # KeyError on unknown
    validate_request(name, payload: dict) -> None    # raises VosValidationError
    validate_push(name, payload: dict) -> None       # raises VosValidationError
    to_json() -> dict                                # the --json document

Filled in by the catalog work (see README of this package).
"""
