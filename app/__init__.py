"""School-development programme API."""
