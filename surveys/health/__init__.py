"""Health of the service for operators and load balancers."""
