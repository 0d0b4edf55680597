"""The HTTP API and web page (optional extra: pip install "stylecut[server]")."""
from stylecut.apps.server.app import Limits, create_app, serve

__all__ = ["Limits", "create_app", "serve"]
