from celery import shared_task


@shared_task(acks_late=True)
def ping() -> str:
    """Broker → worker → result-backend round trip, for operators checking a deployment."""
    return "pong"
