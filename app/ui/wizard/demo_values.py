"""A demo org's address, app key and login, for walking the wizard's pages with it (tests, the browser run)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.salesforce import auth


@dataclass(frozen=True)
class DemoValues:
    """A demo org's values, for walking it through the pages as a stand-in org (the wizard's tests and
    the browser run). The app's own demo does not come here: it opens in the demo workspace."""

    login_url: str
    consumer_key: str
    consumer_secret: str | None = None
    callback_urls: tuple[str, ...] = auth.DEFAULT_CALLBACK_URLS
    ca_file: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> DemoValues:
        callbacks = values.get("callback_urls") or auth.DEFAULT_CALLBACK_URLS
        return cls(
            login_url=str(values["login_url"]),
            consumer_key=str(values["consumer_key"]),
            consumer_secret=str(values["consumer_secret"]) if values.get("consumer_secret") else None,
            callback_urls=tuple(str(u) for u in callbacks),
            ca_file=str(values["ca_file"]) if values.get("ca_file") else None,
            username=str(values["username"]) if values.get("username") else None,
            password=str(values["password"]) if values.get("password") else None,
        )
