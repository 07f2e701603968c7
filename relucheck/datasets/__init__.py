"""Seeded data generators and small real data shipped with a dependency (never a download)."""
