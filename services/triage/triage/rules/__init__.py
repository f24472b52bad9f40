"""The rules as data (YAML tables) and the code that applies them. No I/O beyond reading the tables."""
