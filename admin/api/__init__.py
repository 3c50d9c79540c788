"""The JSON API /api/v1: `register(app)` mounts the core blueprint with every domain's routes."""
from __future__ import annotations


def register(app) -> None:
    """Import each domain's API module (their routes attach to `api_bp`), then mount it."""
    from ..evaluation import api as _evaluation_api  # noqa: F401
    from ..network import api as _network_api  # noqa: F401
    from ..promotion import api as _promotion_api  # noqa: F401
    from ..training import api as _training_api  # noqa: F401
    from .core import api_bp

    app.register_blueprint(api_bp)
