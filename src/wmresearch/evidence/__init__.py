"""The evidence base: getters that clean official datasets into validated tidy tables."""
