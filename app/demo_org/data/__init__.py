"""The demo org's data layer: object schema, seeded records, and DML rules (no HTTP here)."""
