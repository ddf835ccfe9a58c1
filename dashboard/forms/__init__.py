"""HTML forms for partners and administrators: recording interventions and targets, uploads."""
