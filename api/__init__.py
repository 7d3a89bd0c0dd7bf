"""The one FastAPI app: routers per resource, mounted in ``api.app.create_app``."""
