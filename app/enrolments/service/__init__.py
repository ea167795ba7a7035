"""Offers, enrolments, phases, participants, guidance, gatherings and workshops: one use case per module."""
