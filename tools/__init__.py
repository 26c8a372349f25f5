"""Pure helpers of the addon (no models): imported by the models that use them."""
