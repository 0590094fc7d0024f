"""`python -m migems_cli`."""

from migems_cli import start

if __name__ == "__main__":
    start()  # before the slow imports, as the console script does (see __init__)
    from migems_cli.cli import main

    main()
