"""The one core both shells call: load a shop, segment it, check and assign plans, evaluate."""
