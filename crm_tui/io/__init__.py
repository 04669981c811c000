"""Reading shop files into canonical frames, and writing files safely."""
