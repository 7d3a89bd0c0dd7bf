"""The `yiwang` command line: thin Typer commands over library code."""
