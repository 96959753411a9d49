"""``python -m simteam.planning SCENARIO.yaml --out DIR``: the decision report without Hydra."""

import sys

from .cli import main

sys.exit(main())
