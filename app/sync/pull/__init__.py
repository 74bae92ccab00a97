"""Sync down: Salesforce records into the workspace (the engine, its queries, record mappers and writes)."""
