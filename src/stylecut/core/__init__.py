"""Values and rules every layer shares: the options schema, selections, errors, the registry, image I/O, settings."""
