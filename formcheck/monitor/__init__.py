"""The desk monitor: hours of sitting sampled at a low rate, judged by the sitting definition's
own session (no second rule path) and against the person's calibrated baseline, with
sustained-slouch alerts and break reminders."""
