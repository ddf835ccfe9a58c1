"""One module per page: a ``render(query_cache, query)`` that returns the page's content."""
