"""Building blocks the pages are made of: chart cards with their table alternative, the filter bar, component ids."""
