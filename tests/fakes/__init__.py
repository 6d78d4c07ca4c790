"""In-memory fakes of the seams in `connectors.ports`, for fast tests of the flows logic."""
