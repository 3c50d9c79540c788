"""The mediation network: organisations, their jurisdiction tree, the audit trail.

This package is the bottom layer: it knows nothing of Flask or of the other packages.
"""
