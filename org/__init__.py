"""People of the network: mediators, their station assignments, and portal accounts."""
