"""Selection rounds for the follow-up scheme: indicator data, risk points, county assessment, final selection."""
