"""The city knowledge graph: backends, schema, loader and domain queries."""
