"""Helpers of the browser tests (tests/web): the browser's console, screenshots as artefacts, axe-core."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "web" / "vendor" / "axe-core-4.14.1.min.js"
ARTEFACTS = Path(__file__).resolve().parents[1] / "out" / "browser"
# Chromium as root in a container, and no calls home (this machine's network is closed).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


class Console:
    """What the page wrote to its console and the errors it threw, for tests to assert there were none."""

    def __init__(self, page) -> None:
        self.messages: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.messages.append(m.text))
        page.on("pageerror", lambda e: self.messages.append(f"uncaught: {e}"))

    def errors(self, *expected_statuses: int) -> list[str]:
        """Errors, leaving out the browser's note of a response whose status the test itself provoked."""
        allowed = [f"status of {s} " for s in expected_statuses]
        return [m for m in self.messages if not any(a in m for a in allowed)]


def shoot(page, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s), e.g. {v['nodes'][0]['target']}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]  # fmt: skip
