"""OAuth 2.0 web-server flow as Salesforce runs it: login and consent pages, codes, tokens, identity."""
