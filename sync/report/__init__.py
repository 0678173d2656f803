"""What people read: the run report (text and ``--json``) and the status report."""
