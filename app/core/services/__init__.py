"""Use cases: each public function of a service module works inside one unit of work."""
