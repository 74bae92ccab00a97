"""The sync engines: pull from and push to Salesforce. No Qt, no SQL strings, no URLs here."""
