"""The workshop dashboard for trainers: the Solara app (:mod:`.app`), its launcher ``simteam-dashboard``
(:mod:`.dashboard`) and the canned demos (:mod:`.demos`). Importing this package does not import Solara."""
