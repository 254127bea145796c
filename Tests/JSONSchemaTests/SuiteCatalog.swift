/// Which official suite files the validator must pass, and the groups deliberately skipped.
enum SuiteCatalog {
    static let files = [
        "additionalProperties.json", "allOf.json", "anyOf.json", "boolean_schema.json", "const.json",
        "default.json", "dependentRequired.json", "enum.json", "exclusiveMaximum.json",
        "exclusiveMinimum.json", "infinite-loop-detection.json", "items.json", "maxItems.json",
        "maxLength.json", "maxProperties.json", "maximum.json", "minItems.json", "minLength.json",
        "minProperties.json", "minimum.json", "multipleOf.json", "not.json", "oneOf.json", "pattern.json",
        "prefixItems.json", "properties.json", "ref.json", "required.json", "type.json", "uniqueItems.json",
        "optional/format/uuid.json", "optional/format/date-time.json", "optional/format/email.json",
        "optional/format/uri.json",
    ]

    /// "file: group description" → why it is outside the supported subset.
    /// `format.json` is not in `files` at all: every group in it either expects formats to be
    /// annotations only (Berrys asserts them) or uses a format Berrys refuses.
    static let skipped: [String: String] = [
        "additionalProperties.json: additionalProperties being false does not allow other properties":
            "uses patternProperties",
        "additionalProperties.json: additionalProperties with propertyNames":
            "uses propertyNames",
        "additionalProperties.json: dependentSchemas with additionalProperties":
            "uses dependentSchemas",
        "additionalProperties.json: non-ASCII pattern with additionalProperties":
            "uses patternProperties",
        "format.json: date format":
            "format date is refused (unsupported formats fail loudly)",
        "format.json: date-time format":
            "Berrys asserts format date-time (checked by optional/format/date-time.json)",
        "format.json: duration format":
            "format duration is refused (unsupported formats fail loudly)",
        "format.json: email format":
            "Berrys asserts format email (checked by optional/format/email.json)",
        "format.json: hostname format":
            "format hostname is refused (unsupported formats fail loudly)",
        "format.json: idn-email format":
            "format idn-email is refused (unsupported formats fail loudly)",
        "format.json: idn-hostname format":
            "format idn-hostname is refused (unsupported formats fail loudly)",
        "format.json: ipv4 format":
            "format ipv4 is refused (unsupported formats fail loudly)",
        "format.json: ipv6 format":
            "format ipv6 is refused (unsupported formats fail loudly)",
        "format.json: iri format":
            "format iri is refused (unsupported formats fail loudly)",
        "format.json: iri-reference format":
            "format iri-reference is refused (unsupported formats fail loudly)",
        "format.json: json-pointer format":
            "format json-pointer is refused (unsupported formats fail loudly)",
        "format.json: regex format":
            "format regex is refused (unsupported formats fail loudly)",
        "format.json: relative-json-pointer format":
            "format relative-json-pointer is refused (unsupported formats fail loudly)",
        "format.json: time format":
            "format time is refused (unsupported formats fail loudly)",
        "format.json: uri format":
            "Berrys asserts format uri (checked by optional/format/uri.json)",
        "format.json: uri-reference format":
            "format uri-reference is refused (unsupported formats fail loudly)",
        "format.json: uri-template format":
            "format uri-template is refused (unsupported formats fail loudly)",
        "format.json: uuid format":
            "Berrys asserts format uuid (checked by optional/format/uuid.json)",
        "not.json: collect annotations inside a 'not', even if collection is disabled":
            "uses unevaluatedProperties",
        "properties.json: properties, patternProperties, additionalProperties interaction":
            "uses patternProperties",
        "ref.json: $id must be resolved against nearest parent, not just immediate parent":
            "nested $id",
        "ref.json: Recursive references between schemas":
            "nested $id",
        "ref.json: URN base URI with URN and anchor ref":
            "uses $anchor",
        "ref.json: URN ref with nested pointer ref":
            "nested $id",
        "ref.json: order of evaluation: $id and $anchor and $ref":
            "uses $anchor",
        "ref.json: order of evaluation: $id and $ref":
            "nested $id",
        "ref.json: order of evaluation: $id and $ref on nested schema":
            "nested $id",
        "ref.json: ref creates new scope when adjacent to keywords":
            "uses unevaluatedProperties",
        "ref.json: ref to else":
            "uses if/then/else and nested $id",
        "ref.json: ref to if":
            "uses if/then/else and nested $id",
        "ref.json: ref to then":
            "uses if/then/else and nested $id",
        "ref.json: ref with absolute-path-reference":
            "nested $id",
        "ref.json: refs with relative uris and defs":
            "relative-URI $ref and nested $id",
        "ref.json: relative refs with absolute uris and defs":
            "relative-URI $ref and nested $id",
        "ref.json: remote ref, containing refs itself":
            "remote $ref (the meta-schema)",
    ]
}
