"""The Outbox page: states, push per item / push all, needs-attention flags and the conflict view."""

from app.ui.outbox.page import OutboxPage, flag_sidebar

__all__ = ["OutboxPage", "flag_sidebar"]
