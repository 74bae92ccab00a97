"""Runnable benchmark scripts; each prints (and optionally saves) its figures as JSON."""
