"""The README documents every setting and every command, and the architecture page every layer (a missing one fails here)."""

from __future__ import annotations

import re
import tomllib

import typer.main

from cli.main import app
from core.settings import REPO_ROOT, Settings

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [f"YIWANG_{name.upper()}" for name in Settings.model_fields if f"YIWANG_{name.upper()}" not in README]
    assert not missing, f"document these settings in README.md: {missing}"


def _commands(group: typer.Typer, prefix: str = "yiwang") -> list[str]:
    click_group = typer.main.get_command(group)
    found = []

    def walk(command, path: str) -> None:
        subcommands = getattr(command, "commands", None)
        if not subcommands:
            found.append(path)
            return
        for name, sub in subcommands.items():
            walk(sub, f"{path} {name}")

    walk(click_group, prefix)
    return found


def test_every_command_is_documented() -> None:
    missing = [command for command in _commands(app) if f"`{command}" not in README]
    assert not missing, f"document these commands in README.md: {missing}"


def test_readme_gives_the_two_setup_commands() -> None:
    assert "make run" in README and "make test" in README


def test_the_architecture_page_lists_the_layers_as_the_contract_orders_them() -> None:
    """docs/architecture.md's folder table follows pyproject.toml's layers, top to bottom, every package once."""
    layers = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]["layers"]
    ordered = [name.strip() for layer in layers for name in layer.split("|")]
    page = (REPO_ROOT / "docs" / "architecture.md").read_text()
    table = re.findall(r"^\| `(\w+)/` \|", page, flags=re.MULTILINE)
    assert table == ordered
