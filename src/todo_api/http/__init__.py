"""The HTTP edge: routing with declared schemas, problem+json errors, request ids, OpenAPI."""
