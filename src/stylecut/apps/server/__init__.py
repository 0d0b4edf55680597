"""The HTTP API and web page (optional extra: pip install "stylecut[server]")."""
from stylecut.apps.server.app import Limits
from stylecut.apps.server.app import create_app
from stylecut.apps.server.app import serve

__all__ = ["Limits", "create_app", "serve"]
