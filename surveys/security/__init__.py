"""Sessions, throttling and security headers shared by every web process."""
