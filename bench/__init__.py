"""Benchmarks of the configuration engine on the Renault catalogs (`python -m bench`)."""
