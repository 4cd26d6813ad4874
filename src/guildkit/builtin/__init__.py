"""Built-in behaviour, registered as plugins exactly like third-party code."""
