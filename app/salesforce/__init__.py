"""Everything Notebridge says to Salesforce goes through this package.

It is the only place that knows Salesforce URLs and wire formats. It never imports Qt, SQL or the
keyring: secrets it receives or obtains are handed back to the caller, who decides where they live.
"""
