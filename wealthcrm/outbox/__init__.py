"""The task outbox: background work recorded in the database with the change that needs it, sent to the broker
after the commit, and sent again by the sweep (beat, every minute) until the broker takes it.

With Redis down the upload (or any change that queues work) still commits; the work is not lost but waits
here, and runs once Redis is back. Tasks are named, not imported (the kernel imports no app), and must be
idempotent: a message may be sent more than once (sent, then the commit of ``sent_at`` lost).
"""
