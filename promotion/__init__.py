"""Promotion: eligibility for the next grade, explained criterion by criterion, and the yearly
promotion rounds. It sits above evaluation (cases) and training (hours); org keeps the grades.
"""
