"""Write-back: one comment per item holding its current findings, in each tracker's format."""
