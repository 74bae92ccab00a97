"""The REST API under ``/services/data``: routing, records, queries, collections and composite."""
