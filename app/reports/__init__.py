"""Recipients' reports on their allocations, and the statistics for dashboards and reporting clients."""
