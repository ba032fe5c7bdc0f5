"""Dispatch core: the reference care-system kallelse engine implementing the guideline rules."""
