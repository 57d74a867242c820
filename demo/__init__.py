"""The demo: a federation, its associations and their members, and a year of synthetic
entries (`seed_demo`, `demo_logins`). It writes through the same services as any user, and
nothing in the product imports it."""
