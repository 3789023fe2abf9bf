"""The clinician's one-page PDF report from the database."""
