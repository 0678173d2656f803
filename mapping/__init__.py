"""Pure payload -> record functions, one module per tracker; the registry in
``sync.trackers`` says which tracker a puller maps with."""
