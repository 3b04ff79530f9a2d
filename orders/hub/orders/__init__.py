"""Network orders (/orders/): the order board, order detail with the ledger timeline,
dispatch, decisions on counter-proposals, export-control clearances, and the order API."""
