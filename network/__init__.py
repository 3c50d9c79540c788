"""The mediation network: organisations, their jurisdiction tree, the audit trail.

This package is the bottom layer: it knows nothing of Flask or of the other packages. It also
keeps the registries the packages above fill in (import kinds, settings, audit labels).
"""
