"""A SOQL subset: the statements real sync code sends (see ``parser`` for the grammar).

``parse(text)`` returns a ``Query``; ``compile_query`` in ``evaluate`` turns it into a plan that filters,
sorts and projects stored records. Errors are ``SoqlError`` carrying Salesforce's error code and a
message pointing at the row and column, like a real org's ``MALFORMED_QUERY`` / ``INVALID_FIELD``.
"""

from app.demo_org.soql.lexer import SoqlError
from app.demo_org.soql.parser import Query, parse

__all__ = ["Query", "SoqlError", "parse"]
