"""`python -m followthrough …` is the `followthrough` command."""

from followthrough.cli import main

raise SystemExit(main())
