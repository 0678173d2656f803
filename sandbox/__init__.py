"""Local simulations of the trackers (and chat receivers) the product talks to, the demo, and
``python -m sandbox``. Nothing in the product imports this package."""
