from django.dispatch import Signal

# Sent inside the transaction that changed an association's hourly cost (association, actor).
hourly_cost_changed = Signal()
