"""Allocations from the directorate through the county governors to school owners and universities; co-financing."""
