"""Sync up: the outbox into Salesforce, exactly once (the engine, its requests, mappings and settings)."""
