"""Webhooks: the partner feed over HTTP for partners without Kafka."""
