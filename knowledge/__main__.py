"""`python -m knowledge load`: validate the content and load it into the database."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional, Text

from knowledge import db, loader, settings


def main(argv: Optional[List[Text]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description=__doc__)
    parser.add_argument("command", choices=["load"])
    parser.parse_args(argv)
    config = settings.load()
    logging.basicConfig(level=config.log_level, format="%(levelname)s %(message)s")
    report = loader.load(db.init_db(config.database_url))
    print(report)
    for error in report.errors:
        print(f"  error: {error}")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
