"""`python -m migems_cli`."""

from migems_cli.cli import main

if __name__ == "__main__":
    main()
