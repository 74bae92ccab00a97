"""The setup wizard: from a fresh install to a connected, synced workspace.

One module per page (``page_*.py``), the state and Salesforce work in ``controller.py``, the checks
in ``validation.py``. Public entry: ``SetupWizard``.
"""

from app.ui.wizard.base import PageId
from app.ui.wizard.controller import DemoValues
from app.ui.wizard.wizard import SetupWizard

__all__ = ["DemoValues", "PageId", "SetupWizard"]
