"""The page shell: layout, routing, the filter bar and what the server draws of a page."""
