"""Product definitions (/products/): products, revisions and their release, each
revision's BOM, routing and inspection characteristics, the CSV import, and the
product API."""
