"""Development tools: local servers that speak the real APIs' shapes, with faults on demand. Not installed."""
