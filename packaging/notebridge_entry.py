"""PyInstaller's entry script: the frozen app runs exactly what `python -m app` runs."""

import multiprocessing
import sys

from app.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
