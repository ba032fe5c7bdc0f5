"""PU-tjänsten stand-in: GetPersonsForProfile 5.0 with profiles P1-P5."""
