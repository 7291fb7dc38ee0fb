"""Stylesheets the writers load with importlib.resources."""
