"""Store, pull orchestration, rules, write-back and the run itself."""
