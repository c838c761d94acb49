"""Vendored model files (see README.md here); a package so setuptools ships them."""
