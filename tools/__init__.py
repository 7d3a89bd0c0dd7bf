"""LangChain tools the assistant calls over the graph, documents and live services (issue 5)."""
