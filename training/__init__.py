"""Training: courses, sessions, enrolment, attendance and hours (training.hours is the one
definition of credited hours), coverage, certificates.

Importing the package registers training's import kinds (sessions, attendance).
"""
from . import imports as _imports  # noqa: F401
