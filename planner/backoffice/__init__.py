"""Back office: coordinator dashboards, reviews, overrides and exports."""
