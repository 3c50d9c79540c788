"""Training: courses, sessions, enrolment, attendance and hours (later issues)."""
