"""``python -m mutualfin``: the ``mutualfin`` command (:mod:`mutualfin.cli`)."""

import sys

from mutualfin.cli import main

if __name__ == "__main__":  # pragma: no branch
    sys.exit(main())
