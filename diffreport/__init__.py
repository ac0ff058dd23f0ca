"""diffreport: what changed between two versions of a plan, report or statute.

    >>> import diffreport
    >>> result = diffreport.compare("old.txt", "new.txt")
    >>> result.to_json()

Heavy dependencies (jieba's dictionary, python-docx) load on first use, not on import.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "compare", "Comparison", "history", "History"]


def __getattr__(name: str):
    # Lazy: `import diffreport` must stay cheap for the CLI's start-up.
    if name in ("history", "History"):
        import importlib

        module = importlib.import_module(f"{__name__}.history")
        # Importing history imports compare, which binds the submodule over the function.
        comparing = importlib.import_module(f"{__name__}.compare")
        result = importlib.import_module(f"{__name__}.result")
        globals().update(history=module.history, History=module.History)
        globals().update(compare=comparing.compare, Comparison=result.Comparison)
        return globals()[name]
    if name in ("compare", "Comparison"):
        import importlib

        # Not `from . import compare`: that asks this very __getattr__ again (recursion).
        module = importlib.import_module(f"{__name__}.compare")
        result = importlib.import_module(f"{__name__}.result")
        # Importing the submodule bound `compare` here to the module; the function wins.
        globals().update(compare=module.compare, Comparison=result.Comparison)
        return globals()[name]
    raise AttributeError(name)
