"""``python -m labelkit``: the same as the ``labelkit`` command."""

from labelkit.cli import main

main()
