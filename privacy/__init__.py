"""Personal identifiers in free text: found and masked before text is stored or shared.

A package of its own, below every domain app, because the log, the registry of bodies and the
federation's sheets all scan what people type, and it knows nothing of them.
"""
