"""`python -m app` is the same program as the `notebridge` command."""

import sys

from app.main import main

sys.exit(main())
