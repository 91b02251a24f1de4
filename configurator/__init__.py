"""Mass-customization product configurator."""
