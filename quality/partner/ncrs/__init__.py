"""Non-conformances: raising an NCR (with photos and documents), its
disposition (use as is waits for the hub), the 8D CAPA and closing it."""
