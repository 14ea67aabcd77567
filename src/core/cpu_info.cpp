// Filled in by the CLI work (CPU model and features).
