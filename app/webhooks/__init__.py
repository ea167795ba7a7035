"""Webhook subscriptions and the delivery of the change feed to them (CloudEvents, HMAC-signed, retried)."""
