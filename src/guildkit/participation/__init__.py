"""The built-in participation rules: points and badges for mentoring and events (see :mod:`.plugin`)."""
