"""The browser UI, served by the API app from ``web/static``."""
