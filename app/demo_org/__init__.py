"""A Salesforce-compatible org on localhost for tests, demos and benchmarks.

It speaks real HTTP (optionally HTTPS with a throwaway CA): the OAuth web-server flow with PKCE, the
REST API with a SOQL subset, seeded advisor data, and faults on demand. It imports nothing else from
``app`` and shares no code with ``app.salesforce``, so each checks the other.
"""

from app.demo_org.org import DemoOrg

__all__ = ["DemoOrg"]
