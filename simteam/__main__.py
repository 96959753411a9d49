"""``python -m simteam``: the same Hydra app as the ``simteam`` command."""

from .cli import main

if __name__ == "__main__":
    main()
