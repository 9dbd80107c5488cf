"""culturegap: one customer-communication language for sales and every customer-contact team."""
