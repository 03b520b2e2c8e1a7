"""Settings: `base` holds what every environment shares; `dev`, `test` and
`production` adjust it. Everything that differs between machines is read from
the environment (see `docs/configuration.md`)."""
