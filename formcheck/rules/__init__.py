"""Rules as data: an exercise definition's parts, the validated definition, a patient's
threshold profile; the symptom check-in and its red flags."""
