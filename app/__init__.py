"""Notebridge: meeting notes and tasks for financial advisors, pushed to Salesforce.

This module must stay import-cheap and free of Qt: the CLI, the frozen bundle's self-test and the
engines all read these names before (or without) creating a QApplication.
"""

__version__ = "0.1.0"
APP_NAME = "Notebridge"
APP_ID = "notebridge"
ORG_NAME = "Notebridge"
