"""Icons, illustrations and stylesheets, shipped as package data and read with importlib.resources.

Keeping them in a package (not loose files next to the executable) means the same lookup works from a
source checkout, an installed wheel and the PyInstaller bundle.
"""
