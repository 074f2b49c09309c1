"""Models of the personal-data app: the access log and erasure records."""
