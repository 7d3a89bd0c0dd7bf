"""Three levels, one network (issue 19): a city publishes its figures upward through an outbox; a province or
the nation keeps what each source sent, per batch, and compares them."""
