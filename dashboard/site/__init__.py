"""The frame around every page: which page an address shows, the layout, the callbacks every page shares, embedding."""
