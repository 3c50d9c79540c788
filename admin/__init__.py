"""The web layer: app factory, Flask-Admin views, pages, JSON API, CLI, templates."""
