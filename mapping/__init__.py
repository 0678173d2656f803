"""Pure payload -> record functions, one module per tracker."""

from mapping import github, jira

MAPPERS = {"github": github, "jira": jira}
