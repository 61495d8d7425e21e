"""Town Centre Management of the district (SPEC §9, docs/district.md): street footfall from
live play as aggregates only, the coupon funnel, baselines and uplift, the monitoring pack."""
