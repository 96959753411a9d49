"""``python -m simteam.planning SCENARIO.yaml --out DIR``: the decision report without Hydra."""

import sys

from .plan import main

sys.exit(main())
