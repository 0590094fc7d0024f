"""`python -m migems_cli`."""

from migems_cli import exit_on_signals

if __name__ == "__main__":
    exit_on_signals()  # before the slow imports, as the console script does (see __init__)
    from migems_cli.cli import main

    main()
