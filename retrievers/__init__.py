"""Document retrieval over the policy corpus: chunking, dense, BM25, hybrid + graph (issue 3)."""
