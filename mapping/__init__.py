"""Pure payload -> record functions, one module per tracker."""

from mapping import github

MAPPERS = {"github": github}
