"""Read models built from the event log (case files, training histories, caseloads, ...)."""
