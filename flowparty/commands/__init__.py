"""The commands, one module per task group of the clerk (the groups `flowparty` alone shows)."""
