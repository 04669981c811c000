"""The per-customer scores the models give, by name: selectors and ranks may read them.

Here, apart from the models, so that a form can name them without loading SciPy.
"""

SCORES = ("p_alive", "expected_purchases", "expected_value", "clv", "churn_risk", "churn_decile")
