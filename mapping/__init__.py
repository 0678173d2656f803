"""Pure payload -> record functions, one module per tracker."""

from mapping import github, jira, worktile

MAPPERS = {"github": github, "jira": jira, "worktile": worktile}
