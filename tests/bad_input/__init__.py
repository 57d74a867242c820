"""Bad input on every write route: random and malformed bodies never give a 5xx, a refusal
names the field (in the user's language on the pages), and nothing is written."""
