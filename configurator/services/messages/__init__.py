"""Messages to customers: written in the transaction of their event (`outbox`),
delivered by the background worker over SMTP with retries (`delivery`,
`transport`), read in the in-app inbox, and every send, open and click noted
on the customer's timeline."""
