"""The web layer: Dash pages, the JSON API and the command line, over ``queries``."""
