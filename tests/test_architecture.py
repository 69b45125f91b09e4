"""The rooms of DESIGN.md, checked on the imports: arrows point down, no package cycles."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.config import ROOT


def _imports(package: str) -> dict[str, set[str]]:
    """Module path → the modules it imports (absolute names)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
        found[str(path.relative_to(ROOT))] = names
    return found


def _offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{module} imports {name}" for module, names in _imports(package).items() for name in sorted(names) if name.startswith(forbidden)
    ]


def test_connectors_know_no_runtime_inbox_or_dialogue() -> None:
    assert _offenders("connectors", ("bot.runtime", "bot.inbox", "bot.dialogue", "bot.dossiers", "bot.notify", "bot.app")) == []


def test_dossiers_do_not_import_the_dialogue_or_the_runtime() -> None:
    assert _offenders("bot/dossiers", ("bot.dialogue", "bot.runtime", "bot.app", "bot.inbox")) == []


def test_notices_sit_below_dossiers_and_dialogue() -> None:
    assert _offenders("bot/notify", ("bot.dialogue", "bot.dossiers", "bot.inbox", "bot.app")) == []
    # Only the command module (run by the command line) opens a runtime.
    assert [m for m in _offenders("bot/notify", ("bot.runtime",)) if not m.startswith("bot/notify/commands.py")] == []


def test_the_shared_helpers_import_no_room_above_them() -> None:
    for module in ("bot/payloads.py", "bot/formatting.py", "bot/messages.py", "bot/delivery.py", "bot/models.py"):
        names = _imports(str(Path(module).parent))[module]
        assert not [n for n in names if n.startswith(("bot.dialogue", "bot.dossiers", "bot.notify", "bot.runtime", "bot.inbox"))], module
