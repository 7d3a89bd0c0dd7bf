"""What every CLI command shares: settings, a console, progress bars and clean error exits."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from core.exceptions import YiwangError
from core.settings import Settings, get_settings

if TYPE_CHECKING:
    from runtime import Part, Runtime

console = Console()
err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        err_console.print(f"[red]配置无效 / invalid settings:[/red] {exc}")
        raise typer.Exit(2) from exc


@contextmanager
def opened(*parts: Part, cfg: Settings | None = None) -> Iterator[Runtime]:
    """The runtime with ``parts`` open, exactly as the server opens them (``cfg`` defaults to the settings)."""
    from runtime import open_runtime  # imported here: `yiwang --help` should not load the assistant

    with open_runtime(cfg or settings(), parts) as runtime:
        yield runtime


def clean_errors(func: F) -> F:
    """Turn a user's mistake into one sentence and exit code 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except YiwangError as exc:
            err_console.print(f"[red]错误 / error:[/red] {exc.message}")
            raise typer.Exit(1) from exc

    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar; yields ``advance(n)``."""
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err_console, transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)
        progress.update(task, completed=total if total is not None else progress.tasks[0].completed)
