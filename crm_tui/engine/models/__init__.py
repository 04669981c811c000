"""Customer-base models fitted on the customers frame: BG/NBD for how often a customer buys and
whether they are still a customer, Gamma-Gamma for what their purchases are worth."""
