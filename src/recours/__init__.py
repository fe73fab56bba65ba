"""Recours: help for people facing cyberharassment in France.

Layers (ARCHITECTURE.md): ``domain`` (pure logic) ← ``services`` (use cases) ←
``adapters`` (outside world) ← ``cli`` / ``web`` (entry points).
"""

__version__ = "0.1.0"
