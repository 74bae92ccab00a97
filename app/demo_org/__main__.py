"""Entry point for ``python -m app.demo_org`` (see ``app.demo_org.cli``)."""

import sys

from app.demo_org.cli import main

sys.exit(main())
