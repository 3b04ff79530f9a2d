"""A work order's compliance documents: certificates of conformance (issued in
the request, registered with the hub) and the quality dossier and first article
inspection report (rendered in the background)."""
